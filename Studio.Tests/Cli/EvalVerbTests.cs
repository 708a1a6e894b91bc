using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using MiniMind.Studio.Cli;
using static TorchSharp.torch;

namespace MiniMind.Studio.Tests.Cli;

/// <summary>The eval verb on a small random checkpoint with the demo tokenizer: each benchmark kind prints its table and a JSON line, and is saved.</summary>
public sealed class EvalVerbTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-evalcli-").FullName;
    readonly string checkpoint;

    public EvalVerbTests()
    {
        var tokenizer = Path.Combine(Repo.Root, "dataset", "tokenizer");
        manual_seed(3);
        using var model = new MiniMindModel(new MiniMindConfig { Dim = 32, NLayers = 1, NHeads = 2, NKvHeads = 1, VocabSize = ByteLevelBpeTokenizer.Load(tokenizer).VocabSize, MaxSeqLen = 256 });
        checkpoint = Path.Combine(dir, "tiny.safetensors");
        ModelCheckpoint.Save(model, checkpoint, new CheckpointInfo { Config = model.Config, Stage = "pretrain", Tokenizer = tokenizer });
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    async Task<(int Code, string Out, string Err)> Eval(params string[] args)
    {
        return await Cli.Run(["eval", "--model", checkpoint, "--out-dir", dir, "--device", "cpu", .. args]);
    }

    static JsonElement LastLine(string output) => JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;

    [Fact]
    public async Task DemoQuiz_PrintsAccuracy_AndSavesTheRecord()
    {
        var (code, output, err) = await Eval("--benchmark", "demo", "--limit", "3");

        Assert.True(code == 0, err);
        Assert.Contains("accuracy", output);
        var json = LastLine(output);
        Assert.Equal("demo", json.GetProperty("benchmark").GetString());
        Assert.Equal(3, json.GetProperty("metrics").GetProperty("total").GetDouble());
        Assert.True(File.Exists(json.GetProperty("saved").GetString()));
    }

    /// <summary>A minimind-3-shaped checkpoint (q/k norms, its FFN rule) is evaluated like any other: the quiz and perplexity.</summary>
    [Fact]
    public async Task AMinimind3Checkpoint_IsEvaluatedLikeAnyOther()
    {
        var tokenizer = Path.Combine(Repo.Root, "dataset", "tokenizer");
        manual_seed(4);
        var config = MiniMindConfig.Preset("minimind3-tiny") with { Dim = 32, NLayers = 1, NHeads = 2, NKvHeads = 1, VocabSize = ByteLevelBpeTokenizer.Load(tokenizer).VocabSize, MaxSeqLen = 256 };
        using (var model = new MiniMindModel(config))
            ModelCheckpoint.Save(model, Path.Combine(dir, "mm3.safetensors"), new CheckpointInfo { Config = config, Stage = "sft", Tokenizer = tokenizer });

        var quiz = await Cli.Run(["eval", "--model", Path.Combine(dir, "mm3.safetensors"), "--out-dir", dir, "--device", "cpu", "--benchmark", "demo", "--limit", "2"]);
        var perplexity = await Cli.Run(["eval", "--model", Path.Combine(dir, "mm3.safetensors"), "--out-dir", dir, "--device", "cpu", "--benchmark", "perplexity", "--limit", "2"]);

        Assert.True(quiz.Code == 0, quiz.Err);
        Assert.True(perplexity.Code == 0, perplexity.Err);
        Assert.Equal(2, LastLine(quiz.Out).GetProperty("metrics").GetProperty("total").GetDouble());
        Assert.True(LastLine(perplexity.Out).GetProperty("metrics").GetProperty("perplexity").GetDouble() > 1);
    }

    /// <summary>The demo's tool benchmark by name: the share of right calls and of right answers from the results, each question printed.</summary>
    [Fact]
    public async Task ToolUse_PrintsBothShares_AndEachQuestion()
    {
        var (code, output, err) = await Eval("--benchmark", "tools", "--limit", "2");

        Assert.True(code == 0, err);
        var json = LastLine(output);
        Assert.Equal("eval_tools.jsonl", json.GetProperty("benchmark").GetString());
        Assert.Equal(0, json.GetProperty("metrics").GetProperty("tool_calls").GetDouble()); // a random model calls nothing
        Assert.Equal(2, json.GetProperty("metrics").GetProperty("total").GetDouble());
        Assert.Contains("call", output);
        Assert.Contains("How much is", output);
    }

    [Fact]
    public async Task MultipleChoice_Csv_PrintsSubjectsAndOverall()
    {
        var csv = Path.Combine(dir, "arithmetic_val.csv");
        File.WriteAllLines(csv, ["id,question,A,B,C,D,answer", "0,1+1=?,1,2,3,4,B", "1,2+2=?,4,5,6,7,A"]);

        var (code, output, err) = await Eval("--benchmark", csv);

        Assert.True(code == 0, err);
        Assert.Contains("arithmetic", output);
        var metrics = LastLine(output).GetProperty("metrics");
        Assert.Equal(2, metrics.GetProperty("total").GetDouble());
        Assert.InRange(metrics.GetProperty("accuracy").GetDouble(), 0, 1);
    }

    [Fact]
    public async Task Perplexity_IsReportedWithBitsPerByte()
    {
        var (code, output, err) = await Eval("--benchmark", "perplexity", "--limit", "5");

        Assert.True(code == 0, err);
        var metrics = LastLine(output).GetProperty("metrics");
        Assert.True(metrics.GetProperty("perplexity").GetDouble() > 1);
        Assert.True(metrics.GetProperty("bits_per_byte").GetDouble() > 0);
    }

    [Fact]
    public async Task Perplexity_OfAGiantRecord_IsBounded_AndSaysWhatWasEvaluated()
    {
        var data = Path.Combine(dir, "giant.jsonl");
        var giant = string.Concat(Enumerable.Repeat("Alice Brant lives in Mossford and keeps a cat. ", 1_000_000)); // a 47 MB line
        File.WriteAllLines(data, [System.Text.Json.JsonSerializer.Serialize(new { text = giant }), """{"text": "a short one"}"""]);

        var (code, output, err) = await Eval("--benchmark", "perplexity", "--data", data, "--max-document-tokens", "300", "--max-tokens", "302");

        Assert.True(code == 0, err);
        Assert.Contains("302 tokens of 2 documents; 2 cut short by a token budget", output); // the giant one at 300, the short one at the 2 left
        var metrics = LastLine(output).GetProperty("metrics");
        Assert.Equal((302, 2, 2, 0), (metrics.GetProperty("tokens").GetInt32(), metrics.GetProperty("documents").GetInt32(),
            metrics.GetProperty("truncated_documents").GetInt32(), metrics.GetProperty("documents_not_reached").GetInt32()));
        var (bad, _, badErr) = await Eval("--benchmark", "perplexity", "--data", data, "--max-tokens", "0");
        Assert.Equal(1, bad);
        Assert.Contains("error: The run's token budget must be at least 2", badErr);
    }

    [Fact]
    public async Task SidecarTokenizerRelativeToTheContentRoot_IsFound_FromAnyWorkingDirectory()
    {
        var relative = Path.Combine(dir, "relative.safetensors");
        File.Copy(checkpoint, relative);
        ModelCheckpoint.WriteSidecar(relative, ModelCheckpoint.ReadInfo(checkpoint)! with { Tokenizer = "dataset/tokenizer" });
        Assert.False(Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "dataset", "tokenizer"))); // the test runs in bin/

        var (code, output, err) = await Cli.Run(["eval", "--model", relative, "--out-dir", dir, "--device", "cpu", "--benchmark", "demo", "--limit", "1"]);

        Assert.True(code == 0, err);
        Assert.Equal(1, LastLine(output).GetProperty("metrics").GetProperty("total").GetDouble());
    }

    [Fact]
    public async Task TokenizerLargerThanTheModelsVocabulary_IsAClearError()
    {
        var small = Path.Combine(dir, "small_vocab.safetensors");
        manual_seed(3);
        using (var model = new MiniMindModel(new MiniMindConfig { Dim = 32, NLayers = 1, NHeads = 2, NKvHeads = 1, VocabSize = 100, MaxSeqLen = 64 }))
            ModelCheckpoint.Save(model, small, new CheckpointInfo { Config = model.Config, Stage = "pretrain", Tokenizer = Path.Combine(Repo.Root, "dataset", "tokenizer") });

        var (code, _, err) = await Cli.Run(["eval", "--model", small, "--out-dir", dir, "--device", "cpu", "--benchmark", "demo"]);

        Assert.Equal(1, code);
        Assert.Contains("only 100", err);
        Assert.Contains("choose the tokenizer it was trained with", err);
    }

    [Fact]
    public async Task MissingBenchmarkFile_IsAClearError()
    {
        var (code, _, err) = await Eval("--benchmark", Path.Combine(dir, "nope.csv"));

        Assert.Equal(1, code);
        Assert.Contains("nope.csv", err);
    }
}
