using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Chat;

/// <summary>
/// Turns one choice's token ids into answer and reasoning text as they arrive: UTF-8-safe decoding,
/// then stop strings, then the &lt;think&gt; split.
/// </summary>
sealed class ChoiceStream(ByteLevelBpeTokenizer tokenizer, IReadOnlyList<string> stops, bool startsInReasoning)
{
    readonly StreamingDecoder decoder = tokenizer.CreateStreamingDecoder(skipSpecialTokens: true);
    readonly StopSequenceMatcher stop = new(stops);
    readonly ReasoningSplitter splitter = new(startsInReasoning);

    public int Tokens { get; private set; }

    /// <summary>Adds one generated id; Done when it was the end token or completed a stop string.</summary>
    public (string Content, string Reasoning, bool Done) Feed(long id, long? eos)
    {
        Tokens++;
        if (id == eos)
        {
            var (c, r) = Finish();
            return (c, r, true);
        }
        var text = stop.Push(decoder.Feed((int)id));
        if (stop.Stopped)
        {
            var (c1, r1) = splitter.Push(text);
            var (c2, r2) = splitter.Flush();
            return (c1 + c2, r1 + r2, true);
        }
        var (content, reasoning) = splitter.Push(text);
        return (content, reasoning, false);
    }

    /// <summary>Ends the choice: text held back (an unfinished character, a possible stop string or tag) comes out.</summary>
    public (string Content, string Reasoning) Finish()
    {
        var text = stop.Push(decoder.Flush());
        var (c1, r1) = splitter.Push(text + stop.Flush());
        var (c2, r2) = splitter.Flush();
        return (c1 + c2, r1 + r2);
    }
}
