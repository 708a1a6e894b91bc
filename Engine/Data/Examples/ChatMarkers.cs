using MiniMind.Engine.ChatTemplates;

namespace MiniMind.Engine.Data;

/// <summary>
/// The token ids that open an assistant turn (MiniMind: <c>&lt;s&gt;assistant\n</c>) and that close a turn
/// (<c>&lt;/s&gt;\n</c>), derived from the tokenizer's own chat template rather than hard-coded, so a tokenizer with
/// another template (ChatML, say) labels its assistant turns correctly too.
/// </summary>
public sealed record ChatMarkers(string AssistantStartText, string TurnEndText, int[] AssistantStart, int[] TurnEnd)
{
    // Sentinels no template rewrites and no tokenizer merges with their surroundings in a way that matters: only the
    // text between them is used.
    const string User1 = "QQUSERONEQQ", Assistant1 = "QQASSISTANTONEQQ", User2 = "QQUSERTWOQQ", Assistant2 = "QQASSISTANTTWOQQ";

    /// <summary>
    /// Renders the probe conversation user, assistant, user, assistant and reads the markers off the text around the
    /// sentinels: the turn end is what follows an assistant turn both before the next user turn and at the end; the
    /// assistant start is what lies between a user's content and the assistant's content, less that turn end.
    /// </summary>
    public static ChatMarkers Derive(ChatTemplate template, Func<string, int[]> encode, string? bosToken, string? eosToken)
    {
        var messages = new List<object?>
        {
            Message("user", User1), Message("assistant", Assistant1), Message("user", User2), Message("assistant", Assistant2),
        };
        var text = template.RenderChat(messages, addGenerationPrompt: false, bosToken, eosToken);
        var userToAssistant = Between(text, User1, Assistant1);
        var assistantToUser = Between(text, Assistant1, User2);
        var afterLast = After(text, Assistant2);
        var turnEnd = CommonPrefix(assistantToUser, afterLast);
        if (turnEnd.Length == 0)
        {
            throw new InvalidDataException("the chat template closes assistant turns with nothing recognisable: cannot tell where a turn ends");
        }
        var assistantStart = userToAssistant.StartsWith(turnEnd, StringComparison.Ordinal) ? userToAssistant[turnEnd.Length..] : userToAssistant;
        if (assistantStart.Length == 0) throw new InvalidDataException("the chat template puts nothing before an assistant turn: cannot tell where it starts");
        // the original's marker is bos + "assistant\n" (lm_dataset.py): what a template adds after it (minimind-3's empty
        // <think> block) is part of the trained turn there, so it is here
        if (bosToken is not null && assistantStart.StartsWith(bosToken + "assistant\n", StringComparison.Ordinal))
            assistantStart = bosToken + "assistant\n";
        return new ChatMarkers(assistantStart, turnEnd, encode(assistantStart), encode(turnEnd));
    }

    static Dictionary<string, object?> Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    static string Between(string text, string first, string second)
    {
        var start = text.IndexOf(first, StringComparison.Ordinal);
        var end = start < 0 ? -1 : text.IndexOf(second, start + first.Length, StringComparison.Ordinal);
        if (end < 0) throw new InvalidDataException("the chat template does not render message contents verbatim: cannot derive the turn markers");
        return text[(start + first.Length)..end];
    }

    static string After(string text, string marker)
    {
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) throw new InvalidDataException("the chat template does not render message contents verbatim: cannot derive the turn markers");
        return text[(at + marker.Length)..];
    }

    static string CommonPrefix(string a, string b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return a[..n];
    }
}
