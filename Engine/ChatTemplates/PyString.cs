using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// Python <c>str</c> behaviour. Python indexes strings by code point, so anything that counts or
/// slices works on runes; surrogate pairs (emoji) must not be split.
/// </summary>
static partial class PyString
{
    public static long Length(string s) => s.EnumerateRunes().Count();

    public static List<string> Characters(string s) => s.EnumerateRunes().Select(r => r.ToString()).ToList();

    /// <summary>Python's default whitespace set for split() and strip() without arguments.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is '\x1c' or '\x1d' or '\x1e' or '\x1f';

    public static string Strip(string s, string? chars, bool left, bool right)
    {
        Func<char, bool> strip = chars == null ? IsSpace : chars.Contains;
        var start = 0;
        var end = s.Length;
        while (left && start < end && strip(s[start])) start++;
        while (right && end > start && strip(s[end - 1])) end--;
        return s[start..end];
    }

    /// <summary>str.split(sep=None, maxsplit=-1).</summary>
    public static List<object?> Split(string s, string? separator, long maxSplit)
    {
        var parts = new List<object?>();
        if (separator == null) return SplitOnWhitespace(s, maxSplit);
        if (separator.Length == 0) throw new RuntimeFailure("empty separator");

        var start = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            var at = s.IndexOf(separator, start, StringComparison.Ordinal);
            if (at < 0) break;
            parts.Add(s[start..at]);
            start = at + separator.Length;
        }
        parts.Add(s[start..]);
        return parts;
    }

    static List<object?> SplitOnWhitespace(string s, long maxSplit)
    {
        var parts = new List<object?>();
        var i = 0;
        while (true)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            if (i >= s.Length) return parts;
            if (maxSplit >= 0 && parts.Count >= maxSplit)
            {
                parts.Add(Strip(s[i..], null, left: false, right: true));
                return parts;
            }
            var start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            parts.Add(s[start..i]);
        }
    }

    public static string Capitalize(string s) =>
        s.Length == 0 ? s : s[..1].ToUpperInvariant() + s[1..].ToLowerInvariant();

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginning();

    /// <summary>Jinja's <c>title</c> filter: capitalise each word, words split on whitespace, '-' and brackets.</summary>
    public static string JinjaTitle(string s)
    {
        var sb = new StringBuilder();
        foreach (var item in WordBeginning().Split(s))
        {
            if (item.Length > 0) sb.Append(item[..1].ToUpperInvariant()).Append(item[1..].ToLowerInvariant());
        }
        return sb.ToString();
    }

    /// <summary>Python's str.title(): a letter after a non-letter is upper-cased, others lower-cased.</summary>
    public static string PythonTitle(string s)
    {
        var sb = new StringBuilder(s.Length);
        var previousIsLetter = false;
        foreach (var c in s)
        {
            sb.Append(previousIsLetter ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousIsLetter = char.IsLetter(c);
        }
        return sb.ToString();
    }

    public static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0) return old.Length == 0 ? InsertBetweenAll(s, replacement) : s.Replace(old, replacement, StringComparison.Ordinal);
        var sb = new StringBuilder();
        var start = 0;
        for (var n = 0; n < count; n++)
        {
            var at = s.IndexOf(old, start, StringComparison.Ordinal);
            if (at < 0 || old.Length == 0) break;
            sb.Append(s, start, at - start).Append(replacement);
            start = at + old.Length;
        }
        return sb.Append(s, start, s.Length - start).ToString();
    }

    static string InsertBetweenAll(string s, string insert) =>
        insert + string.Concat(Characters(s).Select(c => c + insert));

    /// <summary>A minimal str.format: <c>{}</c>, <c>{0}</c> and <c>{name}</c> fields, <c>{{</c>/<c>}}</c> escapes.</summary>
    public static string Format(string template, CallArgs args)
    {
        var sb = new StringBuilder();
        var autoIndex = 0;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                sb.Append(c);
                i++;
                continue;
            }
            if (c != '{')
            {
                sb.Append(c);
                continue;
            }
            var close = template.IndexOf('}', i);
            if (close < 0) throw new RuntimeFailure("Single '{' encountered in format string");
            var field = template[(i + 1)..close];
            object? value;
            if (field.Length == 0) value = args.Positional.ElementAtOrDefault(autoIndex++);
            else if (int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var index)) value = args.Positional.ElementAtOrDefault(index);
            else value = args.Keywords.TryGetValue(field, out var named) ? named : throw new RuntimeFailure($"KeyError: '{field}'");
            sb.Append(PyFormat.Str(value));
            i = close;
        }
        return sb.ToString();
    }
}
