using System.Text;

using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Tokenization;
/// <summary>
/// Deterministic random strings stressing pre-tokenization: unicode categories (CJK, Greek, Cyrillic, Hangul,
/// astral letters/digits, emoji, combining marks), whitespace runs of every kind, contractions, digits,
/// punctuation and special-token strings.
/// </summary>
static class RandomText
{
    static readonly string[] Atoms =
    [
        "a", "Z", "hello", "World", "the", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n", "\u00a0", "\u3000", "\u2028", "\u0085", "\u000b", "\u000c", "\u001c",
        "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'", "''", "don't", "I'm",
        "0", "42", "3.14", "1e-5", "٣", "Ⅻ", "½", "²",
        "你好", "世界", "如何", "拖延症", "，", "。", "！", "？", "「", "」",
        "日本語", "テキスト", "한국어", "Ελληνικά", "русский", "é", "e\u0301", "ﬁ",
        "😀", "🚀", "👍🏽", "𠀀", "𝐀𝐁", "𝟎𝟏", "\U0001F600x",
        "!", "?", "...", "--", "+=", "{\"k\":", "}", "<", ">", "/", "\\", "@#", "$", "%", "_",
        "<s>", "</s>", "<unk>", "<s", "s>", "<|im_start|>", "<|im_end|>", "<|endoftext|>",
        "\u0000", "\u0001", "\u200b", "\ufeff",
    ];

    public static IEnumerable<string> Strings(int count, int seed, int maxAtoms = 12)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var text = new StringBuilder();
            int atoms = random.Next(1, maxAtoms + 1);
            for (int a = 0; a < atoms; a++)
            {
                text.Append(Atoms[random.Next(Atoms.Length)]);
            }
            yield return text.ToString();
        }
    }
}
