using System.Text.Json;
using System.Text.Json.Nodes;
using MiniMind.Engine.Tokenization;
using HfTokenizer = Tokenizers.DotNet.Tokenizer;

namespace MiniMind.Engine.Tests.Tokenization;

public class BpeTrainerTests
{
    const int BaseVocab = 3 + 256;

    [Fact]
    public void Train_SmallCorpus_LoadsInOursAndHuggingFace_AndBothEncodeIdentically()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        string corpus = WriteCorpus(dir.Path, MixedCorpusTexts(3000));
        BpeTrainingResult result = new BpeTrainer(new BpeTrainerOptions { VocabSize = 600 }).Train([corpus], dir.Path);

        Assert.Equal(600, result.VocabSize);
        Assert.Equal(600 - BaseVocab, result.MergeCount);
        ByteLevelBpeTokenizer ours = ByteLevelBpeTokenizer.Load(dir.Path);
        using var hf = new HfTokenizer(result.TokenizerJsonPath);
        HuggingFaceCrossCheckTests.AssertSameEncodes(ours, hf, MixedCorpusTexts(50).Concat(RandomText.Strings(200, seed: 5)));
        string sample = "你好，世界！ Hello world, it's 2025.";
        Assert.Equal(sample, ours.Decode(ours.Encode(sample)));
        Assert.True(ours.Encode(sample).Length < System.Text.Encoding.UTF8.GetByteCount(sample), "merges should compress the sample");
    }

    [Fact]
    public void SplitCjkCharacters_NeverMergesTwoHanCharacters_WhileLatinWordsStillMerge()
    {
        string[] texts = ["艾丽丝住在苔河镇。", "艾丽丝是老师。", "Alice lives in Mossford.", "艾丽丝的职业是什么？"];
        int LongestCjkToken(bool split)
        {
            using TestFiles.TempDir dir = TestFiles.NewTempDir();
            string corpus = WriteCorpus(dir.Path, Enumerable.Repeat(texts, 20).SelectMany(t => t));
            new BpeTrainer(new BpeTrainerOptions { VocabSize = 2000, SplitCjkCharacters = split }).Train([corpus], dir.Path);
            var tokenizer = ByteLevelBpeTokenizer.Load(dir.Path);
            Assert.Single(tokenizer.Encode(" Mossford")); // a Latin word is still one token
            Assert.Equal(texts[3], tokenizer.Decode(tokenizer.Encode(texts[3])));
            return texts.SelectMany(t => tokenizer.Encode(t)).Max(id => tokenizer.Decode([id]).Count(c => BpeTrainer.IsCjk(c)));
        }

        Assert.True(LongestCjkToken(split: false) > 3, "without the option a run of Chinese text becomes one token");
        Assert.Equal(1, LongestCjkToken(split: true));
    }

    [Fact]
    public void Train_WritesSpecialsThenByteAlphabetThenMerges_AndMiniMindConfig()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        string corpus = WriteCorpus(dir.Path, MixedCorpusTexts(200));
        new BpeTrainer(new BpeTrainerOptions { VocabSize = 300 }).Train([corpus], dir.Path);
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.Load(dir.Path);

        Assert.Equal(["<unk>", "<s>", "</s>"], tokenizer.SpecialTokens);
        Assert.Equal("!", tokenizer.IdToToken(3));           // alphabet sorted by code point, like HF
        Assert.Equal("Ġ", tokenizer.IdToToken(3 + 220));     // U+0120 is the 221st symbol in code point order
        Assert.Equal((1, 2, 0, 0), (tokenizer.BosId, tokenizer.EosId, tokenizer.PadId, tokenizer.UnkId));
        Assert.Equal(MiniMindChatTemplate.Template, tokenizer.ChatTemplate);
        Assert.Equal(TestFiles.LoadSeed().ChatTemplate, tokenizer.ChatTemplate);

        JsonNode json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "tokenizer.json")))!;
        Assert.Equal("BPE", json["model"]!["type"]!.GetValue<string>());
        Assert.False(json["pre_tokenizer"]!["add_prefix_space"]!.GetValue<bool>());
        Assert.Equal("ByteLevel", json["decoder"]!["type"]!.GetValue<string>());
        Assert.True(json["added_tokens"]![2]!["special"]!.GetValue<bool>());
    }

    [Fact]
    public void Train_MergesHighestCountFirst_ThenSmallerPairOnTies()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        // Words: "abab" (pairs ab=2, ba=1), "zy" and "xw" once each. "a b" wins on count; then (ab,ab),
        // (x,w) and (z,y) tie at 1 and, as in HF, go by pair ids: bytes (x < z) before the new token "ab".
        string corpus = WriteCorpus(dir.Path, ["abab", "zy", "xw"]);
        new BpeTrainer(new BpeTrainerOptions { VocabSize = BaseVocab + 4 }).Train([corpus], dir.Path);

        Assert.Equal(["a b", "x w", "z y", "ab ab"], ReadMerges(dir.Path));
    }

    [Fact]
    public void Train_IsDeterministic()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        string corpus = WriteCorpus(dir.Path, MixedCorpusTexts(1500));
        string first = Path.Combine(dir.Path, "a");
        string second = Path.Combine(dir.Path, "b");
        new BpeTrainer(new BpeTrainerOptions { VocabSize = 500, Threads = 2 }).Train([corpus], first);
        new BpeTrainer(new BpeTrainerOptions { VocabSize = 500, Threads = 1 }).Train([corpus], second);

        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "tokenizer.json")), File.ReadAllBytes(Path.Combine(second, "tokenizer.json")));
    }

    [Fact]
    public void Train_ReadsConversationContents()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        string corpus = Path.Combine(dir.Path, "sft.jsonl");
        var line = new { conversations = new[] { new { role = "user", content = "qqqq" }, new { role = "assistant", content = "qqqq" } } };
        File.WriteAllLines(corpus, [JsonSerializer.Serialize(line), ""]);
        new BpeTrainer(new BpeTrainerOptions { VocabSize = BaseVocab + 2 }).Train([corpus], dir.Path);

        Assert.Equal(["q q", "qq qq"], ReadMerges(dir.Path));
    }

    [Fact]
    public void Train_CustomSpecialTokens_TakeTheFirstIds()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        string corpus = WriteCorpus(dir.Path, ["hello"]);
        var options = new BpeTrainerOptions { VocabSize = 262, SpecialTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<pad>"], ChatTemplate = null };
        new BpeTrainer(options).Train([corpus], dir.Path);
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.Load(dir.Path);

        Assert.Equal(["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<pad>"], tokenizer.SpecialTokens);
        Assert.Equal([1, 2], tokenizer.Encode("<|im_start|><|im_end|>"));
        Assert.Null(tokenizer.ChatTemplate);
    }

    [Fact]
    public void Train_ReportsProgress_AndStopsOnCancellation()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        string corpus = WriteCorpus(dir.Path, MixedCorpusTexts(500));
        var reports = new List<BpeTrainingProgress>();
        new BpeTrainer(new BpeTrainerOptions { VocabSize = 400 }).Train([corpus], Path.Combine(dir.Path, "out"), new SyncProgress(reports.Add));

        Assert.Contains(reports, r => r.Stage == BpeTrainingStage.CountingWords && r.Done == r.Total);
        Assert.Equal(new BpeTrainingProgress(BpeTrainingStage.Merging, 400, 400), reports[^1]);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new BpeTrainer(new BpeTrainerOptions { VocabSize = 400 }).Train([corpus], Path.Combine(dir.Path, "cancelled"), null, cancelled.Token));
    }

    [Fact]
    public void Train_TinyWordCap_StillProducesAValidTokenizer()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        string corpus = WriteCorpus(dir.Path, MixedCorpusTexts(1000));
        BpeTrainingResult result = new BpeTrainer(new BpeTrainerOptions { VocabSize = 400, MaxUniqueWords = 200 }).Train([corpus], dir.Path);

        Assert.True(result.UniqueWords <= 200);
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.Load(dir.Path);
        Assert.Equal("round trip 测试", tokenizer.Decode(tokenizer.Encode("round trip 测试")));
    }

    static string WriteCorpus(string dir, IEnumerable<string> texts)
    {
        string path = Path.Combine(dir, "corpus.jsonl");
        File.WriteAllLines(path, texts.Select(t => JsonSerializer.Serialize(new { text = t })));
        return path;
    }

    static List<string> ReadMerges(string dir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "tokenizer.json")))!["model"]!["merges"]!.AsArray()
            .Select(m => m!.GetValue<string>()).ToList();

    /// <summary>Sentences recombined from reference-fixture texts and random atoms: varied, deterministic.</summary>
    static IEnumerable<string> MixedCorpusTexts(int count)
    {
        string[] seeds = TestFiles.EncodingCases().Select(c => c.Text).Where(t => t.Length > 0).ToArray();
        var random = new Random(11);
        foreach (string noise in RandomText.Strings(count, seed: 12, maxAtoms: 6))
        {
            yield return seeds[random.Next(seeds.Length)] + " " + noise + " " + seeds[random.Next(seeds.Length)];
        }
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post asynchronously).</summary>
    sealed class SyncProgress(Action<BpeTrainingProgress> report) : IProgress<BpeTrainingProgress>
    {
        public void Report(BpeTrainingProgress value) => report(value);
    }
}
