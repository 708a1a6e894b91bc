using System.Text;

namespace MiniMind.Engine.Tests.Interop.Gguf;

/// <summary>
/// Over a thousand strings for comparing two tokenizers: the reference fixture's encodings and chat renderings, then
/// seeded mixtures of English, Chinese, digits, whitespace runs, emoji (with modifiers and joiners), punctuation,
/// contractions, code, and the chat template's special tokens in and out of place.
/// </summary>
public static class TokenizationCorpus
{
    static readonly string[] Pieces =
    [
        "Hello", " world", "Alice Brant", " lives in Juniper", "The quick brown fox", " jumps", " over the lazy dog.",
        "don't", " it's", " we'll", " they've", " I'm", " you'd", " she's", "DON'T", "o'clock",
        "你好", "，世界！", "小明住在杭州", "。", "春天来了", "花园里的桃花都开了", "人工智能", "的", "“引号”", "《书名》", "——", "……",
        "日本語", "한국어", "Ελληνικά", "русский текст", "العربية", "हिन्दी", "ñandú", "café", "naïve", "Zürich",
        "0", "7", "42", "007", "1234567890", "3.14159", "2025年", "1,000,000", "-17", "+86 138 0000 0000", "1e-5", "0x1F", "½", "①②③", "٣",
        " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\t\t", "\u00a0", "\u3000", "\u200b",
        "😀", "🚀", "👍🏽", "🇨🇳", "👨‍👩‍👧", "❤️", "✅", "🤖", "©", "™", "∑∫√", "→", "€", "¥", "°C",
        "!", "?", "...", "?!", "#", "@user", "$5", "%", "&&", "||", "<=", "=>", "::", "{}", "[]", "()", "\"quoted\"", "'single'", "`code`",
        "def f(x):\n    return x ** 2\n", "int main() { return 0; }", "SELECT * FROM t;", "https://example.com/a?b=c", "user@example.com",
        "<s>", "</s>", "<unk>", "<s>system\n", "<s>user\n", "<s>assistant\n", "</s>\n", "<s><s>", "</s></s>", "< s>", "<s >", "<\\s>",
    ];

    public static IReadOnlyList<string> Strings()
    {
        var result = new List<string>();
        foreach (var c in Fixture.Json("seed-tokenizer", "encodings.json").GetProperty("cases").EnumerateArray()) result.Add(c.GetProperty("text").GetString()!);
        foreach (var c in Fixture.Json("seed-tokenizer", "chat_template.json").GetProperty("cases").EnumerateArray()) result.Add(c.GetProperty("text").GetString()!);
        result.AddRange(Pieces);
        var random = new Random(2026);
        while (result.Count < 1200)
        {
            var text = new StringBuilder();
            int count = random.Next(1, 9);
            for (int i = 0; i < count; i++) text.Append(Pieces[random.Next(Pieces.Length)]);
            result.Add(text.ToString());
        }
        foreach (var c in GgufModels.TrainingTexts) result.Add(c);
        return result;
    }

    /// <summary>The chat template's rendering of a question, for prompts.</summary>
    public static string Chat(string question) => $"<s>system\n你是 MiniMind，是一个有用的人工智能助手。</s>\n<s>user\n{question}</s>\n<s>assistant\n";
}
