using System.Text;
using System.Text.RegularExpressions;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// HF's <c>Split</c> pre-tokenizer with behavior <c>Isolated</c> (what Qwen/Llama-3 style tokenizers use):
/// every regex match and every gap between matches becomes its own piece, so <c>invert</c> makes no difference.
/// </summary>
/// <remarks>
/// HF matches on code points, .NET Regex on UTF-16 units, where an astral letter is two <c>Cs</c> chars and
/// not <c>\p{L}</c>. The regex therefore runs on a shadow string of equal length in which each astral
/// letter/number is replaced by two BMP chars of the same class; boundaries falling inside a pair are dropped.
/// </remarks>
sealed class RegexSplitPreTokenizer(Regex regex) : IPreTokenizerStage
{
    const string LetterStandIn = "\u4E00\u4E00";
    const string NumberStandIn = "\u0660\u0660";

    public Regex Regex { get; } = regex;

    public void Split(ReadOnlyMemory<char> piece, List<ReadOnlyMemory<char>> output)
    {
        ReadOnlySpan<char> text = piece.Span;
        bool hasSurrogates = text.IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;
        ReadOnlySpan<char> matchText = hasSurrogates ? Shadow(text) : text;

        int last = 0;
        foreach (ValueMatch match in Regex.EnumerateMatches(matchText))
        {
            Cut(piece, ref last, match.Index, output);
            Cut(piece, ref last, match.Index + match.Length, output);
        }
        Cut(piece, ref last, text.Length, output);
    }

    static void Cut(ReadOnlyMemory<char> piece, ref int last, int boundary, List<ReadOnlyMemory<char>> output)
    {
        ReadOnlySpan<char> text = piece.Span;
        bool insidePair = boundary > 0 && boundary < text.Length
            && char.IsHighSurrogate(text[boundary - 1]) && char.IsLowSurrogate(text[boundary]);
        if (boundary > last && !insidePair)
        {
            output.Add(piece[last..boundary]);
            last = boundary;
        }
    }

    static string Shadow(ReadOnlySpan<char> text)
    {
        var shadow = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            CharKind kind = CharClass.At(text, i, out int width);
            if (width == 2 && kind is CharKind.Letter or CharKind.Number)
            {
                shadow.Append(kind == CharKind.Letter ? LetterStandIn : NumberStandIn);
            }
            else
            {
                shadow.Append(text.Slice(i, width));
            }
            i += width;
        }
        return shadow.ToString();
    }
}
