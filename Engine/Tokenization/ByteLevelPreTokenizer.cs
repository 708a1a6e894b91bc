namespace MiniMind.Engine.Tokenization;

/// <summary>
/// HF's <c>ByteLevel</c> pre-tokenizer: optionally prefixes a space to a piece not starting with one
/// (<c>add_prefix_space</c>), then splits with the GPT-2 regex when <c>use_regex</c> is set.
/// The byte-to-unicode mapping itself happens in <see cref="BpeModel"/>, on UTF-8 bytes.
/// </summary>
sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : IPreTokenizerStage
{
    public void Split(ReadOnlyMemory<char> piece, List<ReadOnlyMemory<char>> output)
    {
        if (addPrefixSpace && !piece.Span.StartsWith(' '))
        {
            piece = (" " + piece.Span.ToString()).AsMemory();
        }
        if (!useRegex)
        {
            output.Add(piece);
            return;
        }
        ReadOnlySpan<char> text = piece.Span;
        int start = 0;
        while (start < text.Length)
        {
            int length = Gpt2Splitter.NextPieceLength(text, start);
            output.Add(piece.Slice(start, length));
            start += length;
        }
    }
}
