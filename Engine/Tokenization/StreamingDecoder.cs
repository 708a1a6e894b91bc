using System.Text;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Incremental decode for generation: ids are fed one by one and only complete UTF-8 characters come back,
/// so a CJK character or emoji split across byte tokens is held until its last byte arrives. The text
/// produced equals <see cref="ByteLevelBpeTokenizer.Decode"/> of all ids fed (invalid bytes become U+FFFD).
/// </summary>
public sealed class StreamingDecoder
{
    readonly ByteLevelBpeTokenizer tokenizer;
    readonly bool skipSpecialTokens;
    // System.Text.Decoder already buffers an incomplete trailing sequence between calls.
    readonly Decoder utf8 = new UTF8Encoding(false, false).GetDecoder();
    char[] chars = new char[64];

    internal StreamingDecoder(ByteLevelBpeTokenizer tokenizer, bool skipSpecialTokens)
    {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>Adds one id; returns the text completed by it (possibly empty).</summary>
    /// <exception cref="ArgumentException">An id outside the vocabulary.</exception>
    public string Feed(int id) => Convert(tokenizer.BytesOf(id, skipSpecialTokens), flush: false);

    /// <summary>Ends the stream: bytes still held back (an incomplete sequence) come out as U+FFFD.</summary>
    public string Flush() => Convert([], flush: true);

    string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        int needed = utf8.GetCharCount(bytes, flush);
        if (needed > chars.Length)
        {
            chars = new char[Math.Max(needed, chars.Length * 2)];
        }
        int written = utf8.GetChars(bytes, chars, flush);
        return new string(chars, 0, written);
    }
}
