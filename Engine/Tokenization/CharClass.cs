using System.Globalization;

namespace MiniMind.Engine.Tokenization;

/// <summary>The classes the GPT-2 pre-tokenizer regex distinguishes: <c>\p{L}</c>, <c>\p{N}</c>, <c>\s</c>, everything else.</summary>
enum CharKind : byte
{
    Other,
    Letter,
    Number,
    Space,
}

/// <summary>
/// Classifies code points exactly as the regex engines do: <c>\s</c> is <c>[\f\n\r\t\v\x85\p{Z}]</c>
/// (Oniguruma and .NET agree), letters and numbers by general category of the whole code point, so
/// astral letters (CJK Ext-B, math alphanumerics) count as letters like in HF's Rust regex.
/// </summary>
static class CharClass
{
    // One byte per BMP char: a 64 KB table is cheaper than a category lookup per char on the hot path.
    static readonly CharKind[] Bmp = BuildBmpTable();

    /// <summary>Kind of the code point at <paramref name="index"/>; <paramref name="width"/> is 2 for a surrogate pair.</summary>
    public static CharKind At(ReadOnlySpan<char> text, int index, out int width)
    {
        char c = text[index];
        if (!char.IsHighSurrogate(c) || index + 1 >= text.Length || !char.IsLowSurrogate(text[index + 1]))
        {
            width = 1;
            return Bmp[c];
        }
        width = 2;
        return OfCategory(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[index + 1])), false);
    }

    static CharKind[] BuildBmpTable()
    {
        var table = new CharKind[65536];
        for (int c = 0; c < table.Length; c++)
        {
            bool controlSpace = c is >= '\t' and <= '\r' or 0x85;
            table[c] = OfCategory(CharUnicodeInfo.GetUnicodeCategory((char)c), controlSpace);
        }
        return table;
    }

    static CharKind OfCategory(UnicodeCategory category, bool controlSpace)
    {
        if (controlSpace)
        {
            return CharKind.Space;
        }
        return category switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharKind.Number,
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => CharKind.Space,
            _ => CharKind.Other,
        };
    }
}
