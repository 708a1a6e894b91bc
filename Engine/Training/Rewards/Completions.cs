using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MiniMind.Engine.Training.Rewards;

/// <summary>Reading a completion: its answer part, its normalised text, the numbers in it.</summary>
public static partial class Completions
{
    /// <summary>Inside <c>&lt;answer&gt;…&lt;/answer&gt;</c> when the completion has one, else the whole completion; trimmed.</summary>
    public static string AnswerPart(string completion)
    {
        var match = AnswerTag().Match(completion);
        return (match.Success ? match.Groups["answer"].Value : completion).Trim();
    }

    /// <summary>
    /// Lower case, compatibility-normalised (full-width digits become ASCII), every run of characters that are not letters or
    /// digits one space: "Mossford!" and " mossford" read alike.
    /// </summary>
    public static string Normalize(string text)
    {
        var b = new StringBuilder(text.Length);
        var gap = false;
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                if (gap && b.Length > 0) b.Append(' ');
                b.Append(char.ToLowerInvariant(c));
                gap = false;
            }
            else gap = true;
        }
        return b.ToString();
    }

    /// <summary>
    /// Whether normalised <paramref name="text"/> holds normalised <paramref name="expected"/> as whole words: "17" does not
    /// hold "7", nor "Mossfordshire" "Mossford"; where a script writes no spaces (Chinese) any position counts.
    /// </summary>
    public static bool ContainsWords(string text, string expected)
    {
        var t = Normalize(text);
        var e = Normalize(expected);
        if (e.Length == 0) return false;
        for (var at = t.IndexOf(e, StringComparison.Ordinal); at >= 0; at = t.IndexOf(e, at + 1, StringComparison.Ordinal))
        {
            var end = at + e.Length;
            bool glued(int outside, int inside) => outside >= 0 && outside < t.Length && IsWordChar(t[outside]) && IsWordChar(e[inside]);
            if (!glued(at - 1, 0) && !glued(end, e.Length - 1)) return true;
        }
        return false;
    }

    /// <summary>Letters and digits of scripts that separate words with spaces (ASCII and Latin, Greek, Cyrillic).</summary>
    static bool IsWordChar(char c) => c < 0x2E80 && char.IsLetterOrDigit(c);

    /// <summary>The last number in <paramref name="text"/> ("-3", "1,250", "2.5"), or null.</summary>
    public static double? LastNumber(string text)
    {
        var matches = Number().Matches(text.Normalize(NormalizationForm.FormKC));
        if (matches.Count == 0) return null;
        return double.Parse(matches[^1].Value.Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>The reference as a number when all of it is one ("42", " -3.5 "), else null.</summary>
    public static double? AsNumber(string reference) =>
        double.TryParse(reference.Normalize(NormalizationForm.FormKC).Trim().Replace(",", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>
    /// Whether <paramref name="text"/> holds <paramref name="fact"/> as the current original's agent-RL reward checks a
    /// <c>gt</c> entry (<c>validate_gt_in_text</c>): the fact's trimmed text anywhere in the text, case ignored; or, for a
    /// numeric fact, a number standing alone in the text (commas removed) equal to it within 1e-6.
    /// </summary>
    public static bool HoldsFact(string text, string fact)
    {
        var f = fact.Trim();
        if (f.Length == 0) return false;
        if (text.Contains(f, StringComparison.OrdinalIgnoreCase)) return true;
        var plain = f.Replace(",", "");
        if (!FactNumber().IsMatch(plain)) return false;
        var expected = double.Parse(plain, NumberStyles.Float, CultureInfo.InvariantCulture);
        return StandaloneNumber().Matches(text.Replace(",", "")).Any(m =>
            Math.Abs(double.Parse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture) - expected) < 1e-6);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+(?:\.[0-9]+)?$")]
    private static partial Regex FactNumber();

    [GeneratedRegex(@"(?<![\w.])[-+]?[0-9]+(?:\.[0-9]+)?(?![\w.])")]
    private static partial Regex StandaloneNumber();

    [GeneratedRegex(@"<answer>(?<answer>.*?)</answer>", RegexOptions.Singleline)]
    private static partial Regex AnswerTag();

    [GeneratedRegex(@"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?")]
    private static partial Regex Number();
}
