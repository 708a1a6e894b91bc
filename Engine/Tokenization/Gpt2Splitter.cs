namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Hand-written equivalent of the GPT-2 pre-tokenizer regex used by HF's ByteLevel pre-tokenizer:
/// <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>.
/// It yields the same pieces as the regex (tests compare both) at a fraction of the cost.
/// </summary>
static class Gpt2Splitter
{
    public const string Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Length of the piece that the regex matches at <paramref name="start"/>.</summary>
    public static int NextPieceLength(ReadOnlySpan<char> text, int start)
    {
        char c = text[start];
        if (c == '\'' && ContractionLength(text, start) is int contraction and > 0)
        {
            return contraction;
        }

        CharKind kind = CharClass.At(text, start, out int width);
        if (c == ' ' && start + 1 < text.Length)
        {
            // " ?X+" : a single leading space joins the letter/number/symbol run that follows it.
            CharKind next = CharClass.At(text, start + 1, out int nextWidth);
            if (next != CharKind.Space)
            {
                return RunEnd(text, start + 1 + nextWidth, next) - start;
            }
        }
        if (kind != CharKind.Space)
        {
            return RunEnd(text, start + width, kind) - start;
        }

        // "\s+(?!\S)|\s+": a whitespace run gives up its last char when a non-space follows, so that
        // char can prefix the next word; a lone whitespace char before a word stands alone.
        int end = RunEnd(text, start + 1, CharKind.Space);
        if (end == text.Length || end - start == 1)
        {
            return end - start;
        }
        return end - start - 1;
    }

    static int RunEnd(ReadOnlySpan<char> text, int index, CharKind kind)
    {
        while (index < text.Length && CharClass.At(text, index, out int width) == kind)
        {
            index += width;
        }
        return index;
    }

    static int ContractionLength(ReadOnlySpan<char> text, int start)
    {
        if (start + 1 >= text.Length)
        {
            return 0;
        }
        char a = text[start + 1];
        if (a is 's' or 't' or 'm' or 'd')
        {
            return 2;
        }
        if (start + 2 >= text.Length)
        {
            return 0;
        }
        char b = text[start + 2];
        return (a, b) is ('r', 'e') or ('v', 'e') or ('l', 'l') ? 3 : 0;
    }
}
