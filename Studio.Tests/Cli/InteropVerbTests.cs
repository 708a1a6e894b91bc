using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using MiniMind.Studio.Cli;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MiniMind.Studio.Tests.Cli;

/// <summary>The import and export verbs on the tiny-dense reference fixture.</summary>
public sealed class InteropVerbTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-interop-cli-").FullName;
    readonly string config;

    public InteropVerbTests()
    {
        config = Path.Combine(dir, "lmconfig.json");
        File.WriteAllText(config, JsonDocument.Parse(File.ReadAllText(Repo.Fixture("tiny-dense", "golden.json"))).RootElement.GetProperty("config").GetRawText());
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);


    static float LogitError(string checkpoint)
    {
        var io = Safetensors.LoadStateDict(Repo.Fixture("tiny-dense", "io.safetensors"));
        using var model = ModelCheckpoint.Load(checkpoint);
        using var _ = no_grad();
        return (model.Forward(io["input_ids"]).Logits - io["logits"]).abs().max().item<float>();
    }

    [Fact]
    public async Task ImportThenExportBothWays_KeepsTheReferenceLogits()
    {
        var imported = Path.Combine(dir, "seed.safetensors");
        var (code, output, err) = await Cli.Run("import", Repo.Fixture("tiny-dense", "weights.safetensors"), "--out", imported,
            "--config", config, "--stage", "pretrain", "--tokenizer", Repo.Fixture("seed-tokenizer"), "--device", "cpu");
        Assert.True(code == 0, err);
        Assert.Equal("MiniMind", JsonDocument.Parse(output).RootElement.GetProperty("layout").GetString());
        Assert.True(LogitError(imported) <= 1e-4);

        var hf = Path.Combine(dir, "hf");
        (code, output, err) = await Cli.Run("export", imported, "--format", "hf", "--out", hf);
        Assert.True(code == 0, err);
        Assert.Contains("model.safetensors", JsonDocument.Parse(output).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()));

        var back = Path.Combine(dir, "back.safetensors");
        (code, output, err) = await Cli.Run("import", hf, "--out", back);
        Assert.True(code == 0, err);
        Assert.Equal("Transformers", JsonDocument.Parse(output).RootElement.GetProperty("layout").GetString());
        Assert.True(LogitError(back) <= 1e-4);

        var pth = Path.Combine(dir, "pth");
        (code, _, err) = await Cli.Run("export", back, "--format", "minimind", "--out", pth);
        Assert.True(code == 0, err);
        var again = Path.Combine(dir, "again.safetensors");
        (code, _, err) = await Cli.Run("import", Path.Combine(pth, "back.pth"), "--out", again);
        Assert.True(code == 0, err);
        Assert.True(LogitError(again) <= 1e-4);
    }

    [Fact]
    public async Task Import_OfATruncatedFile_IsOneErrorLineNamingIt()
    {
        var bytes = File.ReadAllBytes(Repo.Fixture("tiny-dense", "weights.safetensors"));
        var cut = Path.Combine(dir, "cut.safetensors");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 3)]);
        var output = Path.Combine(dir, "never.safetensors");

        var (code, _, err) = await Cli.Run("import", cut, "--out", output, "--config", config);

        Assert.Equal(1, code);
        var line = err.Trim().Split('\n')[^1];
        Assert.StartsWith("error: ", line);
        Assert.Contains(cut, line);
        Assert.Contains("truncated", line);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task ExportAsGguf_WritesTheFileAndModelfile_AndReportsLlamaCppsTokens()
    {
        var imported = Path.Combine(dir, "seed.safetensors");
        var (code, _, err) = await Cli.Run("import", Repo.Fixture("tiny-dense", "weights.safetensors"), "--out", imported,
            "--config", config, "--stage", "sft", "--tokenizer", Repo.Fixture("seed-tokenizer"), "--device", "cpu");
        Assert.True(code == 0, err);

        var gguf = Path.Combine(dir, "gguf");
        (code, var output, err) = await Cli.Run("export", imported, "--format", "gguf", "--quant", "f32", "--out", gguf);

        Assert.True(code == 0, err);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Contains("seed-f32.gguf", json.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.True(json.GetProperty("llama_cpp").GetProperty("equal").GetBoolean(), output);
        Assert.Contains("equal the studio's", json.GetProperty("llama_cpp").GetProperty("summary").GetString());
        Assert.StartsWith("GGUF", File.ReadAllText(Path.Combine(gguf, "seed-f32.gguf"))[..4]);
        Assert.Contains("FROM ./seed-f32.gguf", File.ReadAllText(Path.Combine(gguf, "Modelfile")));
    }

    [Fact]
    public async Task ExportAsGguf_RejectsAnUnknownQuantization()
    {
        var (code, _, err) = await Cli.Run("export", Repo.Fixture("tiny-dense", "weights.safetensors"), "--format", "gguf", "--quant", "q4_k", "--out", Path.Combine(dir, "x"));

        Assert.NotEqual(0, code);
        Assert.Contains("q4_k", err);
        Assert.False(Directory.Exists(Path.Combine(dir, "x")));
    }

    [Fact]
    public async Task AMiniMind3Model_GoesOutAsTheOriginalsPth_AndComesBackWithItsPreset()
    {
        var checkpoint = Path.Combine(dir, "m3.safetensors");
        var config = MiniMindConfig.Preset("minimind3-tiny");
        using (var model = new MiniMindModel(config))
            ModelCheckpoint.Save(model, checkpoint, new CheckpointInfo { Config = config, Stage = "sft", Tokenizer = Repo.Fixture("minimind3", "tokenizer") });

        var (code, output, err) = await Cli.Run("export", checkpoint, "--format", "minimind", "--out", Path.Combine(dir, "pth"));
        Assert.True(code == 0, err);
        var back = Path.Combine(dir, "back.safetensors");
        (code, output, err) = await Cli.Run("import", Path.Combine(dir, "pth", "full_sft_128.pth"), "--out", back, "--preset", "minimind3-tiny");

        Assert.True(code == 0, err);
        Assert.Equal("Transformers", JsonDocument.Parse(output).RootElement.GetProperty("layout").GetString());
        Assert.Equal(MiniMindConfig.MiniMind3, ModelCheckpoint.ReadInfo(back)!.Config.Family);
        (code, output, _) = await Cli.Run("info");
        Assert.Contains("minimind3-moe", output);
    }

    [Fact]
    public async Task Export_RejectsAnUnknownFormat()
    {
        var (code, _, err) = await Cli.Run("export", Repo.Fixture("tiny-dense", "weights.safetensors"), "--format", "onnx", "--out", Path.Combine(dir, "x"));

        Assert.NotEqual(0, code);
        Assert.Contains("onnx", err);
    }
}
