using System.Text.Json;
using MiniMind.Studio.Cli;
using TorchSharp.PyBridge;

namespace MiniMind.Studio.Tests.Cli;

/// <summary>The forward and generate verbs as other tools call them, on the tiny-dense reference fixture.</summary>
public sealed class ModelVerbTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-cli-").FullName;
    readonly string weights = Repo.Fixture("tiny-dense", "weights.safetensors");
    readonly string config;

    public ModelVerbTests()
    {
        config = Path.Combine(dir, "lmconfig.json");
        File.WriteAllText(config, JsonDocument.Parse(File.ReadAllText(Repo.Fixture("tiny-dense", "golden.json"))).RootElement.GetProperty("config").GetRawText());
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);


    string WriteIds(string json)
    {
        var path = Path.Combine(dir, $"ids-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task Forward_WritesTheReferenceLogits()
    {
        var io = Safetensors.LoadStateDict(Repo.Fixture("tiny-dense", "io.safetensors"));
        var rows = io["input_ids"].data<long>().ToArray().Chunk(24);
        var ids = WriteIds(JsonSerializer.Serialize(rows));
        var output = Path.Combine(dir, "logits.safetensors");

        var (code, _, err) = await Cli.Run("forward", "--model", weights, "--config", config, "--ids", ids, "--out", output, "--device", "cpu");

        Assert.Equal(0, code);
        Assert.Contains("device cpu", err);
        var logits = Safetensors.LoadStateDict(output)["logits"];
        Assert.Equal(new long[] { 2, 24, 6400 }, logits.shape);
        Assert.True((logits - io["logits"]).abs().max().item<float>() <= 1e-4);
    }

    [Fact]
    public async Task Generate_PrintsTheReferenceGreedyTokensAsItsLastLine()
    {
        var io = Safetensors.LoadStateDict(Repo.Fixture("tiny-dense", "io.safetensors"));
        var ids = WriteIds(JsonSerializer.Serialize(new[] { io["greedy_prompt"].data<long>().ToArray() }));

        var (code, output, _) = await Cli.Run("generate", "--model", weights, "--config", config, "--ids", ids,
            "--max-new-tokens", "24", "--temperature", "0", "--ignore-eos", "--device", "cpu");

        Assert.Equal(0, code);
        var last = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(io["greedy_tokens"].data<long>().ToArray(), last.GetProperty("tokens")[0].EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public async Task Generate_AcceptsAStudioCheckpointWithoutConfig()
    {
        var model = MiniMind.Engine.Checkpoints.ModelCheckpoint.Load(weights, MiniMind.Engine.Model.MiniMindConfig.Load(config));
        var checkpoint = Path.Combine(dir, "pretrain_64.safetensors");
        MiniMind.Engine.Checkpoints.ModelCheckpoint.Save(model, checkpoint, new() { Config = model.Config, Stage = "pretrain" });
        var ids = WriteIds("[[1, 85, 736], [1, 320, 275]]");

        var (code, output, _) = await Cli.Run("generate", "--model", checkpoint, "--ids", ids, "--max-new-tokens", "4", "--ignore-eos");

        Assert.Equal(0, code);
        var tokens = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("tokens");
        Assert.Equal(2, tokens.GetArrayLength());
        Assert.All(tokens.EnumerateArray(), row => Assert.Equal(4, row.GetArrayLength()));
    }

    [Fact]
    public async Task Ids_InlineJson_IsReadAsTheFileWouldBe_AndItsErrorsName_Ids()
    {
        var file = WriteIds("[[1, 85, 736], [1, 320, 275]]");

        var fromFile = await Cli.Run("generate", "--model", weights, "--config", config, "--ids", file, "--max-new-tokens", "4", "--ignore-eos", "--device", "cpu");
        var inline = await Cli.Run("generate", "--model", weights, "--config", config, "--ids", "[[1, 85, 736], [1, 320, 275]]", "--max-new-tokens", "4", "--ignore-eos", "--device", "cpu");
        var bad = await Cli.Run("forward", "--model", weights, "--config", config, "--ids", "[[1, 2], [3]]", "--out", Path.Combine(dir, "x.safetensors"), "--device", "cpu");
        var missing = await Cli.Run("generate", "--model", weights, "--config", config, "--ids", Path.Combine(dir, "nope.json"));

        Assert.True(inline.Code == 0, inline.Err);
        Assert.Equal(fromFile.Out.Trim().Split('\n')[^1], inline.Out.Trim().Split('\n')[^1]);
        Assert.Equal(1, bad.Code);
        Assert.Contains("--ids: row 2 has 1 ids but row 1 has 2", bad.Err);
        Assert.Contains("Ids file not found", missing.Err);
    }

    [Fact]
    public async Task Generate_RowsOfDifferentLengths_EachGetTheirOwnContinuation()
    {
        var io = Safetensors.LoadStateDict(Repo.Fixture("tiny-dense", "io.safetensors"));
        var prompt = io["greedy_prompt"].data<long>().ToArray();
        var ids = WriteIds(JsonSerializer.Serialize(new[] { prompt, prompt[..5] }));
        var alone = WriteIds(JsonSerializer.Serialize(new[] { prompt[..5] }));

        var (code, output, err) = await Cli.Run("generate", "--model", weights, "--config", config, "--ids", ids, "--max-new-tokens", "6", "--ignore-eos");
        var (_, single, _) = await Cli.Run("generate", "--model", weights, "--config", config, "--ids", alone, "--max-new-tokens", "6", "--ignore-eos");

        Assert.True(code == 0, err);
        var rows = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.GetProperty("tokens");
        Assert.Equal(io["greedy_tokens"].data<long>().ToArray()[..6], rows[0].EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(JsonDocument.Parse(single.Trim().Split('\n')[^1]).RootElement.GetProperty("tokens")[0].GetRawText(), rows[1].GetRawText());
    }

    [Theory]
    [InlineData("[[1, 2], [3]]", "row 2 has 1 ids but row 1 has 2")]
    [InlineData("[[1, 99999]]", "id 99999, outside the vocabulary")]
    [InlineData("{\"ids\": 1}", "expected a JSON array")]
    [InlineData("[]", "non-empty")]
    public async Task BadIds_GiveAClearErrorAndExitCode1(string json, string message)
    {
        var ids = WriteIds(json);

        var (code, _, err) = await Cli.Run("forward", "--model", weights, "--config", config, "--ids", ids, "--out", Path.Combine(dir, "x.safetensors"));

        Assert.Equal(1, code);
        Assert.Contains(message, err);
        Assert.Contains(Path.GetFileName(ids), err);
    }

    [Fact]
    public async Task MissingModel_IsAClearError()
    {
        var (code, _, err) = await Cli.Run("generate", "--model", Path.Combine(dir, "nope.safetensors"), "--ids", WriteIds("[[1]]"));

        Assert.Equal(1, code);
        Assert.Contains("Checkpoint not found", err);
    }

    [Theory]
    [InlineData("forward")]
    [InlineData("generate")]
    [InlineData("info")]
    public async Task EveryVerb_HasHelp(string verb)
    {
        var (code, output, _) = await Cli.Run(verb, "--help");

        Assert.Equal(0, code);
        Assert.Contains("Usage:", output);
        Assert.Contains("--device", output);
    }
}
