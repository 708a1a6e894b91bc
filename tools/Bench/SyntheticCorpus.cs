using System.Text;

namespace MiniMind.Bench;

/// <summary>
/// Deterministic mixed Chinese/English text: Zipf-distributed lexicons of generated Chinese words (from ~3500
/// CJK characters) and English-like words (from syllables), numbers and punctuation, so the vocabulary is
/// large and varied rather than a few repeated sentences.
/// </summary>
public sealed class SyntheticCorpus
{
    static readonly string[] Onsets = ["", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "st", "tr", "pl", "ch", "sh", "th", "gr", "br"];
    static readonly string[] Vowels = ["a", "e", "i", "o", "u", "ea", "ou", "ai", "io", "ee"];
    static readonly string[] Codas = ["", "", "n", "r", "s", "t", "l", "nd", "ng", "ck", "st", "m"];

    readonly Random _random;
    readonly ZipfLexicon chinese;
    readonly ZipfLexicon english;

    public SyntheticCorpus(int seed)
    {
        _random = new Random(seed);
        int[] cjk = Enumerable.Range(0x4E00, 0x9FA5 - 0x4E00).OrderBy(_ => _random.Next()).Take(3500).ToArray();
        var chars = new ZipfLexicon(cjk.Select(c => ((char)c).ToString()).ToArray(), _random);
        chinese = new ZipfLexicon(Enumerable.Range(0, 20000).Select(_ => ChineseWord(chars)).Distinct().ToArray(), _random);
        english = new ZipfLexicon(Enumerable.Range(0, 30000).Select(_ => EnglishWord()).Distinct().ToArray(), _random);
    }

    public string Document(int approxBytes)
    {
        var text = new StringBuilder();
        int bytes = 0;
        while (bytes < approxBytes)
        {
            string sentence = _random.Next(3) == 0 ? EnglishSentence() : ChineseSentence();
            text.Append(sentence);
            bytes += Encoding.UTF8.GetByteCount(sentence);
            if (_random.Next(6) == 0)
            {
                text.Append('\n');
            }
        }
        return text.ToString();
    }

    string ChineseSentence()
    {
        var s = new StringBuilder();
        int words = _random.Next(4, 18);
        for (int i = 0; i < words; i++)
        {
            int roll = _random.Next(40);
            s.Append(roll switch
            {
                0 => english.Next(),
                1 => _random.Next(1, 3000).ToString(),
                2 or 3 => "，",
                _ => chinese.Next(),
            });
        }
        return s.Append("。！？；"[_random.Next(4)]).ToString();
    }

    string EnglishSentence()
    {
        var s = new StringBuilder();
        int words = _random.Next(5, 20);
        for (int i = 0; i < words; i++)
        {
            string word = english.Next();
            if (i == 0)
            {
                word = char.ToUpperInvariant(word[0]) + word[1..];
            }
            s.Append(i == 0 ? "" : " ").Append(word);
            int roll = _random.Next(30);
            s.Append(roll switch { 0 => ",", 1 => "'s", 2 => $" {_random.Next(100)}", _ => "" });
        }
        return s.Append(". ").ToString();
    }

    string ChineseWord(ZipfLexicon chars)
    {
        int length = _random.Next(10) switch { < 3 => 1, < 8 => 2, 8 => 3, _ => 4 };
        return string.Concat(Enumerable.Range(0, length).Select(_ => chars.Next()));
    }

    string EnglishWord()
    {
        int syllables = _random.Next(10) switch { < 4 => 1, < 8 => 2, _ => 3 };
        var w = new StringBuilder();
        for (int i = 0; i < syllables; i++)
        {
            w.Append(Onsets[_random.Next(Onsets.Length)]).Append(Vowels[_random.Next(Vowels.Length)]).Append(Codas[_random.Next(Codas.Length)]);
        }
        return w.ToString();
    }

    /// <summary>Draws words with probability proportional to 1/rank.</summary>
    sealed class ZipfLexicon
    {
        readonly string[] _words;
        readonly double[] cumulative;
        readonly Random _random;

        public ZipfLexicon(string[] words, Random random)
        {
            _words = words;
            _random = random;
            cumulative = new double[words.Length];
            double total = 0;
            for (int i = 0; i < words.Length; i++)
            {
                total += 1.0 / (i + 1);
                cumulative[i] = total;
            }
        }

        public string Next()
        {
            double x = _random.NextDouble() * cumulative[^1];
            int index = Array.BinarySearch(cumulative, x);
            return _words[index < 0 ? ~index : index];
        }
    }
}
