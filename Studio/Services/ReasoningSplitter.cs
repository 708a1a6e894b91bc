namespace MiniMind.Studio.Services;

/// <summary>
/// Splits streamed model text into reasoning (inside &lt;think&gt;...&lt;/think&gt;) and answer (the rest, with
/// &lt;answer&gt; tags removed). Text that might be the start of a tag is held until it can be decided.
/// </summary>
public sealed class ReasoningSplitter
{
    static readonly string[] Tags = ["<think>", "</think>", "<answer>", "</answer>"];
    string held = "";
    bool thinking;

    /// <summary>Feeds text; returns the answer and reasoning text it completes.</summary>
    public (string Text, string Reasoning) Feed(string piece)
    {
        var text = new System.Text.StringBuilder();
        var reasoning = new System.Text.StringBuilder();
        held += piece;
        while (held.Length > 0)
        {
            int lt = held.IndexOf('<');
            if (lt < 0) { Emit(held); held = ""; break; }
            if (lt > 0) { Emit(held[..lt]); held = held[lt..]; }
            var tag = Tags.FirstOrDefault(t => held.StartsWith(t, StringComparison.Ordinal));
            if (tag is not null)
            {
                if (tag == "<think>") thinking = true;
                else if (tag == "</think>") thinking = false;
                held = held[tag.Length..];
                continue;
            }
            if (Tags.Any(t => t.StartsWith(held, StringComparison.Ordinal))) break; // could still become a tag
            Emit("<");
            held = held[1..];
        }
        return (text.ToString(), reasoning.ToString());

        void Emit(string s) => (thinking ? reasoning : text).Append(s);
    }

    /// <summary>Ends the stream: held text comes out as it is.</summary>
    public (string Text, string Reasoning) Flush()
    {
        var rest = held;
        held = "";
        return thinking ? ("", rest) : (rest, "");
    }
}
