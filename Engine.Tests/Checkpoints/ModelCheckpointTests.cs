using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Checkpoints;

public sealed class ModelCheckpointTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-ckpt-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static MiniMindConfig Small => new() { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, VocabSize = 50, MaxSeqLen = 32 };

    [Fact]
    public void SaveThenLoad_GivesTheSameLogits_AndTheSidecarDescribesIt()
    {
        manual_seed(11);
        using var model = new MiniMindModel(Small);
        var path = Path.Combine(dir, "pretrain_32.safetensors");
        var ids = randint(0, 50, [1, 7]);

        ModelCheckpoint.Save(model, path, new CheckpointInfo { Config = model.Config, Stage = "pretrain", Step = 42, Tokenizer = "demo" });
        using var loaded = ModelCheckpoint.Load(path);

        using var _ = no_grad();
        model.eval();
        Assert.Equal(0f, Fixture.MaxAbsDiff(model.Forward(ids).Logits, loaded.Forward(ids).Logits));
        var info = ModelCheckpoint.ReadInfo(path)!;
        Assert.Equal(("pretrain", 42L, "demo", model.ParameterCount), (info.Stage, info.Step, info.Tokenizer, info.Parameters));
        Assert.Equal(Small, info.Config);
        Assert.Equal(["pretrain_32.json", "pretrain_32.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void TokenizerPathOf_AbsoluteAsWritten_RelativeBesideTheSidecarFirst_ThenUnderTheRoot()
    {
        manual_seed(11);
        using var model = new MiniMindModel(Small);
        string Saved(string name, string? tokenizer)
        {
            var path = Path.Combine(dir, "out", name + ".safetensors");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ModelCheckpoint.Save(model, path, new CheckpointInfo { Config = model.Config, Stage = "pretrain", Tokenizer = tokenizer });
            return path;
        }
        var root = Path.Combine(dir, "root");
        Directory.CreateDirectory(Path.Combine(dir, "out", "beside_tok"));

        Assert.Equal("/somewhere/tok", ModelCheckpoint.TokenizerPathOf(Saved("absolute", "/somewhere/tok"), root));
        Assert.Equal(Path.Combine(dir, "out", "beside_tok"), ModelCheckpoint.TokenizerPathOf(Saved("beside", "beside_tok"), root));
        Assert.Equal(Path.Combine(root, "dataset", "tok"), ModelCheckpoint.TokenizerPathOf(Saved("rooted", "dataset/tok"), root));
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "dataset", "tok"), ModelCheckpoint.TokenizerPathOf(Saved("cwd", "dataset/tok")));
        Assert.Null(ModelCheckpoint.TokenizerPathOf(Saved("none", null), root));
        Assert.Null(ModelCheckpoint.TokenizerPathOf(Path.Combine(dir, "no_sidecar.safetensors"), root));
    }

    [Fact]
    public void SeedLayoutFile_LoadsWithAnLMConfig()
    {
        using var model = ModelCheckpoint.Load(Fixture.Path("tiny-dense", "weights.safetensors"), Fixture.TinyDenseConfig());
        Assert.Equal(64, model.Config.Dim);
    }

    [Fact]
    public void Load_WithoutSidecarOrConfig_SaysWhatIsMissing()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelCheckpoint.Load(Fixture.Path("tiny-dense", "weights.safetensors")));
        Assert.Contains("--config", e.Message);
    }

    [Fact]
    public void Load_WithTheWrongConfig_NamesTheTensorAndShapes()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            ModelCheckpoint.Load(Fixture.Path("tiny-dense", "weights.safetensors"), Fixture.TinyDenseConfig() with { HiddenDim = 128 }));
        Assert.Contains("feed_forward.w1.weight", e.Message);
        Assert.Contains("[192, 64]", e.Message);
    }

    [Fact]
    public void Load_WithMoreLayersThanTheFile_ListsMissingTensors()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            ModelCheckpoint.Load(Fixture.Path("tiny-dense", "weights.safetensors"), Fixture.TinyDenseConfig() with { NLayers = 3 }));
        Assert.Contains("missing layers.2.", e.Message);
    }

    [Fact]
    public void Load_TruncatedFile_IsAClearError()
    {
        var path = Path.Combine(dir, "broken.safetensors");
        var bytes = File.ReadAllBytes(Fixture.Path("tiny-dense", "weights.safetensors"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => ModelCheckpoint.Load(path, Fixture.TinyDenseConfig()));
        Assert.Contains("broken.safetensors", e.Message);
    }

    [Fact]
    public void WriteAtomically_AFailedWrite_LeavesTheOldFileAndNoTemporary()
    {
        var path = Path.Combine(dir, "x.json");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, tmp =>
        {
            File.WriteAllText(tmp, "half");
            throw new IOException("disk full");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["x.json"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }
}
