using MiniMind.Engine.ChatTemplates;
using MiniMind.Engine.Data;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Chat;

/// <summary>
/// Messages -> chat template -> prompt ids. A conversation too long for the context loses its oldest
/// turns first; the system message and the last message always stay.
/// </summary>
public sealed class ChatPromptBuilder
{
    readonly ByteLevelBpeTokenizer tokenizer;
    readonly ChatTemplate template;

    public ChatPromptBuilder(ByteLevelBpeTokenizer tokenizer)
    {
        this.tokenizer = tokenizer;
        // a tokenizer without a template (e.g. trained before templates were written) gets MiniMind2's
        template = ChatTemplate.Parse(tokenizer.ChatTemplate ?? MiniMindChatTemplate.Template);
    }

    public static readonly IReadOnlyList<string> Roles = ["system", "user", "assistant"];

    /// <summary>
    /// Renders <paramref name="messages"/> with the generation prompt, dropping the oldest non-system
    /// messages until the prompt fits in <paramref name="maxPromptTokens"/>.
    /// </summary>
    /// <remarks>
    /// The work is bounded whatever the request holds: every rendered message costs at least one token, so only the last
    /// <paramref name="maxPromptTokens"/> turns are ever rendered, and the first turn to keep is found by a binary search over
    /// where the kept turns may start (the prompt only shrinks as turns are dropped): O(n log n) in the kept text, not O(n²).
    /// </remarks>
    /// <param name="tools">The tools offered (a JSON array, as the template's <c>tools</c>); null: the system turn's, if any.</param>
    public ChatPrompt Build(IReadOnlyList<ChatMessage> messages, int maxPromptTokens, bool? enableThinking = null, string? tools = null)
    {
        var normalized = Normalize(messages);
        var system = normalized.Where(m => m.Role == "system").Take(1).ToList();
        var turns = normalized.Where(m => m.Role != "system").ToList();
        // where the kept turns may start: the first turn, or any later one that is not an assistant reply or a tool's result
        // (neither opens a conversation), or the last message, which always stays
        var starts = Enumerable.Range(0, turns.Count)
            .Where(k => k >= turns.Count - Math.Max(1, maxPromptTokens) && (k == 0 || k == turns.Count - 1 || turns[k].Role is not ("assistant" or "tool")))
            .ToList();
        (string Text, int[] Ids) RenderFrom(int start)
        {
            var text = Render([.. system, .. turns.Skip(start)], enableThinking, tools);
            return (text, tokenizer.Encode(text));
        }
        // the first start whose prompt fits, by bisection: starts[hi] is the last candidate known to fit (or none yet)
        int lo = 0, hi = starts.Count;
        (string Text, int[] Ids)? fitting = null;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            var rendered = RenderFrom(starts[mid]);
            if (rendered.Ids.Length <= maxPromptTokens) { hi = mid; fitting = rendered; }
            else lo = mid + 1;
        }
        if (lo == starts.Count)
        {
            var smallest = RenderFrom(turns.Count - 1);
            throw new ChatRequestException("messages",
                $"The prompt needs {smallest.Ids.Length} tokens even with only the system message and the last message kept; at most {maxPromptTokens} fit (the model's context minus the tokens reserved for the answer).",
                "context_length_exceeded");
        }
        var (keptText, keptIds) = fitting!.Value;
        return new ChatPrompt(keptText, keptIds.Select(i => (long)i).ToArray(), starts[lo], OpensThinking(keptText));
    }

    /// <summary>Checks roles and contents; reads "developer" (OpenAI's newer name) as system and keeps only the first system message in front.</summary>
    static List<ChatMessage> Normalize(IReadOnlyList<ChatMessage> messages)
    {
        if (messages.Count == 0) throw new ChatRequestException("messages", "messages must hold at least one message.");
        var result = new List<ChatMessage>(messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            var m = messages[i] ?? throw new ChatRequestException($"messages[{i}]", $"messages[{i}] is null.");
            var role = m.Role == "developer" ? "system" : m.Role;
            // a tool's result (tool-use data, rendered by the template as such) is accepted here; the API's request checks its own roles
            if (!Roles.Contains(role) && role != "tool")
                throw new ChatRequestException($"messages[{i}].role", $"messages[{i}].role must be one of system, user, assistant; got '{m.Role}'.");
            if (m.Content is null) throw new ChatRequestException($"messages[{i}].content", $"messages[{i}].content is missing.");
            if (role == "system" && i > 0)
                throw new ChatRequestException($"messages[{i}].role", "A system message may only come first.");
            result.Add(m with { Role = role });
        }
        if (result.All(m => m.Role == "system"))
            throw new ChatRequestException("messages", "messages must hold a user or assistant message besides the system message.");
        return result;
    }

    /// <summary>Whether the model's chat template renders offered tools (MiniMind2's ignores them).</summary>
    public bool TemplateTakesTools => template.Source.Contains("tools", StringComparison.Ordinal);

    string Render(List<ChatMessage> messages, bool? enableThinking, string? offered)
    {
        var list = messages.Select(m =>
        {
            var item = new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content };
            if (m.ToolCalls is not null) item["tool_calls"] = ValueConversion.FromJsonText(m.ToolCalls);
            return (object?)item;
        }).ToList();
        // as the current original's datasets: the system turn's tools go to the template's tools argument
        var toolsJson = offered ?? messages.FirstOrDefault(m => m.Role == "system")?.Tools;
        var tools = toolsJson is null ? null : ValueConversion.FromJsonText(toolsJson) as List<object?>;
        // Qwen3's templates read enable_thinking, the current original's (minimind-3) open_thinking: both are given
        var extra = enableThinking is bool thinking ? new Dictionary<string, object?> { ["enable_thinking"] = thinking, ["open_thinking"] = thinking } : null;
        return template.RenderChat(list, addGenerationPrompt: true, tokenizer.BosToken, tokenizer.EosToken, tools, extra);
    }

    /// <summary>A template that ends its generation prompt with &lt;think&gt; has started the reasoning block itself.</summary>
    static bool OpensThinking(string text)
    {
        var end = text.TrimEnd();
        return end.EndsWith("<think>", StringComparison.Ordinal);
    }
}
