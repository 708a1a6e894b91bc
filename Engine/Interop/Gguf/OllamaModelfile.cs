using System.Text;
using MiniMind.Engine.ChatTemplates;

namespace MiniMind.Engine.Interop.Gguf;

/// <summary>
/// The Ollama <c>Modelfile</c> beside a GGUF: <c>FROM</c>, a Go <c>TEMPLATE</c> that renders a conversation exactly as
/// the tokenizer's Jinja chat template does, the template's default system prompt as <c>SYSTEM</c> (without it Ollama's
/// and llama.cpp's chat wrappers send none or their own, and a small model then answers as someone else), and the end
/// token as a stop. The Go template is built from the Jinja template's own output: conversations of marker texts are
/// rendered, the text around each marker is the fixed text of that part (system, user turn, assistant turn), and the
/// pieces are checked by re-rendering other conversations both ways. A template that does not decompose this way gets
/// a Modelfile without TEMPLATE and a note saying so.
/// </summary>
public static class OllamaModelfile
{
    const string S = "\u27e6SYSTEM\u27e7", U1 = "\u27e6USER1\u27e7", A1 = "\u27e6ASSISTANT1\u27e7", U2 = "\u27e6USER2\u27e7";

    /// <summary>The fixed texts of a conversation; a turn renders as Prefix + content + Suffix.</summary>
    public sealed record Pieces(string SystemPrefix, string SystemSuffix, string? DefaultSystem, string UserPrefix, string UserSuffix, string AssistantSuffix)
    {
        public string Render(IReadOnlyList<(string Role, string Content)> messages)
        {
            var text = new StringBuilder();
            var system = messages.Count > 0 && messages[0].Role == "system" ? messages[0].Content : DefaultSystem;
            if (system is not null) text.Append(SystemPrefix).Append(system).Append(SystemSuffix);
            foreach (var (role, content) in messages)
            {
                if (role == "user") text.Append(UserPrefix).Append(content).Append(UserSuffix);
                else if (role == "assistant") text.Append(content).Append(AssistantSuffix);
            }
            return text.ToString();
        }
    }

    /// <summary>The Modelfile text, and a note when the chat template could not be carried over.</summary>
    public static (string Text, string? Note) Create(string ggufFileName, string? chatTemplate, string? bosToken, string? eosToken, int contextLength)
    {
        var text = new StringBuilder();
        text.Append("# Written by MiniMind Studio. Create the Ollama model with:\n#   ollama create NAME -f Modelfile\n");
        text.Append($"FROM ./{ggufFileName}\n");
        string? note = null;
        Pieces? pieces = null;
        if (chatTemplate is null) note = "The tokenizer has no chat template: the Modelfile has no TEMPLATE (Ollama sends the raw prompt).";
        else
        {
            try
            {
                pieces = Decompose(chatTemplate, bosToken, eosToken);
            }
            catch (Exception e) when (e is TemplateException or InvalidOperationException)
            {
                note = $"The chat template could not be rewritten for Ollama ({e.Message}): the Modelfile has no TEMPLATE; give one by hand.";
            }
        }
        if (pieces is not null)
        {
            text.Append("TEMPLATE \"\"\"")
                .Append("{{ if .System }}").Append(pieces.SystemPrefix).Append("{{ .System }}").Append(pieces.SystemSuffix).Append("{{ end }}")
                .Append("{{ range .Messages }}{{ if eq .Role \"user\" }}").Append(pieces.UserPrefix).Append("{{ .Content }}").Append(pieces.UserSuffix)
                .Append("{{ else if eq .Role \"assistant\" }}{{ .Content }}").Append(pieces.AssistantSuffix).Append("{{ end }}{{ end }}")
                .Append("\"\"\"\n");
            if (pieces.DefaultSystem is { Length: > 0 } system) text.Append("SYSTEM \"\"\"").Append(system).Append("\"\"\"\n");
        }
        if (eosToken is not null) text.Append($"PARAMETER stop \"{eosToken.Replace("\"", "\\\"")}\"\n");
        text.Append($"PARAMETER num_ctx {contextLength}\n");
        return (text.ToString(), note);
    }

    /// <summary>Splits a Jinja chat template into <see cref="Pieces"/>, or throws saying why it cannot.</summary>
    public static Pieces Decompose(string chatTemplate, string? bosToken, string? eosToken)
    {
        var template = ChatTemplate.Parse(chatTemplate);
        string Render((string Role, string Content)[] messages) => template.RenderChat(
            [.. messages.Select(m => (object?)new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content })],
            addGenerationPrompt: true, bosToken, eosToken);

        var full = Render([("system", S), ("user", U1), ("assistant", A1), ("user", U2)]);
        int s = Find(full, S), u1 = Find(full, U1), a1 = Find(full, A1), u2 = Find(full, U2);
        if (!(s < u1 && u1 < a1 && a1 < u2)) throw new InvalidOperationException("it renders the messages out of order");
        string systemPrefix = full[..s], afterSystem = full[(s + S.Length)..u1], userSuffix = full[(u1 + U1.Length)..a1],
            afterAssistant = full[(a1 + A1.Length)..u2], last = full[(u2 + U2.Length)..];
        if (last != userSuffix) throw new InvalidOperationException("the generation prompt differs from the text between a user turn and the answer");
        // the text before a user turn follows a system block and an assistant turn alike: the common end is the user's prefix
        int common = 0;
        while (common < afterSystem.Length && common < afterAssistant.Length && afterSystem[^(common + 1)] == afterAssistant[^(common + 1)]) common++;
        // the split of that common end between the turn before and the user prefix: a turn's end marker (and the newline
        // after it) belongs to the turn it closes; else the longest prefix that also opens a conversation without a system message
        string shared = afterSystem[^common..];
        int eos = eosToken is { Length: > 0 } ? shared.LastIndexOf(eosToken, StringComparison.Ordinal) : -1;
        if (eos >= 0) eos += eosToken!.Length + (eos + eosToken.Length < shared.Length && shared[eos + eosToken.Length] == '\n' ? 1 : 0);
        var noSystem = Render([("user", U1)]);
        int user = Find(noSystem, U1);
        foreach (int cut in (eos >= 0 ? [eos] : Array.Empty<int>()).Concat(Enumerable.Range(0, shared.Length + 1)))
        {
            string userPrefix = shared[cut..], systemSuffix = afterSystem[..^common] + shared[..cut], assistantSuffix = afterAssistant[..^common] + shared[..cut];
            int start = user - userPrefix.Length;
            if (start < 0 || noSystem.Substring(start, userPrefix.Length) != userPrefix) continue;
            string head = noSystem[..start];
            if (head.Length > 0 && (!head.StartsWith(systemPrefix, StringComparison.Ordinal) || !head.EndsWith(systemSuffix, StringComparison.Ordinal)
                    || head.Length < systemPrefix.Length + systemSuffix.Length))
                continue;
            string? defaultSystem = head.Length > 0 ? head[systemPrefix.Length..^systemSuffix.Length] : null;
            return Checked(Render, new Pieces(systemPrefix, systemSuffix, defaultSystem, userPrefix, userSuffix, assistantSuffix));
        }
        throw new InvalidOperationException("a conversation without a system message does not start with a system block or the user's turn");
    }

    /// <summary>The pieces, once they quote in a Modelfile and render other conversations exactly as the template does.</summary>
    static Pieces Checked(Func<(string Role, string Content)[], string> render, Pieces pieces)
    {
        var texts = new (string Text, string Part)[]
        {
            (pieces.SystemPrefix, "system"), (pieces.SystemSuffix, "system"), (pieces.DefaultSystem ?? "", "system"),
            (pieces.UserPrefix, "user"), (pieces.UserSuffix, "user"), (pieces.AssistantSuffix, "assistant"),
        };
        foreach (var (text, part) in texts)
            if (text.Contains("{{", StringComparison.Ordinal) || text.Contains("\"\"\"", StringComparison.Ordinal))
                throw new InvalidOperationException($"its {part} text holds {{{{ or \"\"\", which a Modelfile cannot quote");

        // the same conversations both ways: with and without a system message, one to three turns
        (string, string)[][] checks =
        [
            [("user", "Hi")],
            [("system", "Be brief."), ("user", "Hi")],
            [("user", "Hi"), ("assistant", "Hello!"), ("user", "Who are you?")],
            [("system", "Be brief."), ("user", "Hi"), ("assistant", "Hello!"), ("user", "2+2?"), ("assistant", "4"), ("user", "Thanks")],
        ];
        foreach (var conversation in checks)
            if (render(conversation) != pieces.Render(conversation))
                throw new InvalidOperationException($"a conversation of {conversation.Length} messages renders differently from its pieces");
        return pieces;
    }

    static int Find(string text, string marker)
    {
        int at = text.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(marker, at + 1, StringComparison.Ordinal) >= 0) throw new InvalidOperationException("it does not print each message's content once");
        return at;
    }
}
