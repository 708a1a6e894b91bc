using System.Text;

namespace MiniMind.Engine.Chat;

/// <summary>
/// Separates a &lt;think&gt;...&lt;/think&gt; block from the answer in streamed text, as MiniMind's reasoning
/// models write it: reasoning when the text opens with &lt;think&gt; (or the prompt already opened it),
/// answer after &lt;/think&gt; (its leading whitespace dropped). An answer wrapped in &lt;answer&gt;...&lt;/answer&gt;
/// (the reasoning stage's format) comes out without the two tags. Tags split across pieces are held back
/// until complete, so no tag fragment leaks into either stream.
/// </summary>
public sealed class ReasoningSplitter
{
    const string Open = "<think>", Close = "</think>", AnswerOpen = "<answer>", AnswerClose = "</answer>";
    readonly StringBuilder pending = new();
    State state;
    bool tagged; // the answer opened with <answer>: its </answer> is dropped too

    enum State { Start, Reasoning, AnswerStart, Answer }

    /// <param name="startsInReasoning">The prompt ends with an opened &lt;think&gt; (the template started the block).</param>
    public ReasoningSplitter(bool startsInReasoning) => state = startsInReasoning ? State.Reasoning : State.Start;

    /// <summary>Adds text; returns the answer and reasoning text it completes.</summary>
    public (string Content, string Reasoning) Push(string text)
    {
        pending.Append(text);
        var content = new StringBuilder();
        var reasoning = new StringBuilder();
        Drain(content, reasoning, final: false);
        return (content.ToString(), reasoning.ToString());
    }

    /// <summary>Ends the stream: whatever is held comes out where it stands.</summary>
    public (string Content, string Reasoning) Flush()
    {
        var content = new StringBuilder();
        var reasoning = new StringBuilder();
        Drain(content, reasoning, final: true);
        return (content.ToString(), reasoning.ToString());
    }

    void Drain(StringBuilder content, StringBuilder reasoning, bool final)
    {
        while (pending.Length > 0)
        {
            var text = pending.ToString();
            switch (state)
            {
                case State.Start:
                {
                    var trimmed = text.TrimStart();
                    if (trimmed.StartsWith(Open, StringComparison.Ordinal))
                    {
                        pending.Clear().Append(trimmed[Open.Length..].TrimStart('\n'));
                        state = State.Reasoning;
                        continue;
                    }
                    // may still become <think> or <answer>
                    if (!final && (trimmed.Length == 0 || Open.StartsWith(trimmed, StringComparison.Ordinal) || AnswerOpen.StartsWith(trimmed, StringComparison.Ordinal))) return;
                    state = trimmed.StartsWith(AnswerOpen, StringComparison.Ordinal) ? State.AnswerStart : State.Answer;
                    continue;
                }
                case State.Reasoning:
                {
                    int at = text.IndexOf(Close, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        reasoning.Append(text[..at].TrimEnd('\n'));
                        pending.Clear().Append(text[(at + Close.Length)..]);
                        state = State.AnswerStart;
                        continue;
                    }
                    int keep = final ? 0 : PartialTagLength(text, Close);
                    reasoning.Append(text[..^keep]);
                    pending.Clear().Append(text[^keep..]);
                    return;
                }
                case State.AnswerStart:
                {
                    var trimmed = text.TrimStart();
                    if (trimmed.Length == 0) { pending.Clear(); return; }
                    if (trimmed.StartsWith(AnswerOpen, StringComparison.Ordinal))
                    {
                        trimmed = trimmed[AnswerOpen.Length..].TrimStart();
                        tagged = true;
                    }
                    else if (!final && AnswerOpen.StartsWith(trimmed, StringComparison.Ordinal))
                    {
                        return; // may still become <answer>
                    }
                    pending.Clear().Append(trimmed);
                    state = State.Answer;
                    continue;
                }
                default:
                {
                    if (!tagged)
                    {
                        content.Append(text);
                        pending.Clear();
                        return;
                    }
                    int at = text.IndexOf(AnswerClose, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        content.Append(text[..at].TrimEnd());
                        pending.Clear().Append(text[(at + AnswerClose.Length)..].TrimStart());
                        tagged = false;
                        continue;
                    }
                    int keep = final ? 0 : PartialTagLength(text, AnswerClose);
                    content.Append(text[..^keep]);
                    pending.Clear().Append(text[^keep..]);
                    return;
                }
            }
        }
    }

    /// <summary>Length of the longest tail of <paramref name="text"/> that is a proper prefix of <paramref name="tag"/>.</summary>
    static int PartialTagLength(string text, string tag) => PartialMatch.HeldTail(text, tag);
}
