using System.Text.Json;
using MiniMind.Engine.Data;
using MiniMind.Engine.Data.Demo;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Data;

/// <summary>The embedded demo corpus: rebuilt byte for byte, valid, held-out evaluation phrasings, and usable by the loader.</summary>
public sealed class DemoCorpusTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    static string Committed(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MiniMind.Studio.sln"))) return Path.Combine([dir.FullName, "dataset", .. parts]);
        }
        throw new InvalidOperationException("the tests must run inside the repository");
    }

    [Fact]
    public void Generator_RebuildsTheCommittedFilesByteForByte()
    {
        DemoCorpus.Generate(data.Dir);

        foreach (var name in DemoCorpus.FileNames.Append(Path.Combine("tokenizer", "tokenizer.json")).Append(Path.Combine("tokenizer", "tokenizer_config.json")))
        {
            Assert.True(File.ReadAllBytes(Committed(name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(data.Dir, name))), $"{name} differs from the committed file");
        }
    }

    [Theory]
    [InlineData("pretrain_demo.jsonl", DatasetKind.Pretrain)]
    [InlineData("sft_demo.jsonl", DatasetKind.Sft)]
    [InlineData("dpo_demo.jsonl", DatasetKind.Dpo)]
    [InlineData("reason_demo.jsonl", DatasetKind.Reasoning)]
    [InlineData("lora_identity.jsonl", DatasetKind.Sft)]
    public void EveryDemoFile_IsDetectedAsItsKind_AndFullyValid(string name, DatasetKind kind)
    {
        var path = Path.Combine(data.Dir, name);
        File.Copy(Committed(name), path);

        var result = DatasetAnalyzer.Validate(path, null, _ => { });

        Assert.Equal(kind, DatasetFormat.Detect(path));
        Assert.Equal(0, result.Bad);
        Assert.True(result.Records > 100);
    }

    [Fact]
    public void EvaluationQuestions_NeverAppearInTheTrainingFiles()
    {
        // The files are written with relaxed escaping, so a phrasing appears in them exactly as JsonEncodedText encodes it.
        var training = string.Concat(DemoCorpus.FileNames.Where(n => n != "eval_demo.jsonl").Select(n => File.ReadAllText(Committed(n))));
        var evaluation = DemoCorpus.ReadEvaluation(Committed("eval_demo.jsonl")).ToList();

        Assert.True(evaluation.Count > 100);
        Assert.All(evaluation, e => Assert.DoesNotContain('"' + Encoded(e.Question) + '"', training));
        Assert.All(evaluation, e => Assert.Contains(Encoded(e.Answer), training));
    }

    static string Encoded(string text) => JsonEncodedText.Encode(text, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();

    [Fact]
    public void DemoTokenizer_IsSmall_AndTrainsTheSftFileWithAssistantTargets()
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(Committed("tokenizer"));
        var path = Path.Combine(data.Dir, "sft_demo.jsonl");
        File.Copy(Committed("sft_demo.jsonl"), path);

        using var loader = DataLoader.Open(path, DatasetKind.Sft, tokenizer, 128, 16, seed: 1);
        var (batch, next) = loader.Batches().First();

        Assert.InRange(tokenizer.VocabSize, 1024, DemoCorpus.VocabSize); // the trainer stops early once every word of the small world is one token
        Assert.Equal("<s>assistant\n", new ConversationEncoder(tokenizer).Markers.AssistantStartText);
        Assert.Equal(0, loader.Skipped.Bad);
        Assert.Equal(new LoaderCursor(0, 1, 1), next);
        Assert.InRange(batch.UsefulTokens, 16 * 5, 16 * 127);
    }
}
