using System.Buffers;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Finds added tokens in raw text the way HF's <c>AddedVocabulary</c> does (Aho-Corasick, leftmost-longest):
/// the leftmost occurrence wins and, among tokens starting there, the longest.
/// </summary>
sealed class AddedTokenMatcher
{
    readonly Dictionary<char, AddedToken[]> byFirstChar;
    readonly SearchValues<char> firstChars;

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        byFirstChar = tokens
            .Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        firstChars = SearchValues.Create([.. byFirstChar.Keys]);
    }

    /// <summary>Splits <paramref name="text"/> into plain segments and added-token segments, in order.</summary>
    public void Split(string text, List<TextSegment> output)
    {
        output.Clear();
        int plainStart = 0;
        int searchFrom = 0;
        while (searchFrom < text.Length)
        {
            int found = text.AsSpan(searchFrom).IndexOfAny(firstChars);
            if (found < 0)
            {
                break;
            }
            int start = searchFrom + found;
            AddedToken? token = LongestAt(text, start);
            if (token == null)
            {
                searchFrom = start + 1;
                continue;
            }
            int end = start + token.Content.Length;
            if (token.LStrip)
            {
                while (start > plainStart && char.IsWhiteSpace(text[start - 1]))
                {
                    start--;
                }
            }
            if (token.RStrip)
            {
                while (end < text.Length && char.IsWhiteSpace(text[end]))
                {
                    end++;
                }
            }
            if (start > plainStart)
            {
                output.Add(new TextSegment(plainStart, start - plainStart, null));
            }
            output.Add(new TextSegment(start, end - start, token));
            plainStart = searchFrom = end;
        }
        if (plainStart < text.Length)
        {
            output.Add(new TextSegment(plainStart, text.Length - plainStart, null));
        }
    }

    AddedToken? LongestAt(string text, int start)
    {
        foreach (AddedToken candidate in byFirstChar[text[start]])
        {
            if (text.AsSpan(start).StartsWith(candidate.Content, StringComparison.Ordinal))
            {
                return candidate;
            }
        }
        return null;
    }
}
