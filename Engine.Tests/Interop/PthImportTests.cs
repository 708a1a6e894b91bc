using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Interop;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Interop;

/// <summary>Importing the original MiniMind's files: .pth state dicts (written here by TorchSharp.PyBridge, as torch.save does), seed-layout safetensors, LoRA adapters.</summary>
public sealed class PthImportTests : IDisposable
{
    readonly InteropTestFiles files = new();

    public void Dispose() => files.Dispose();

    /// <summary>The tiny-dense state dict as torch.save writes it (fp32 or, as the newer MiniMind saves, fp16).</summary>
    string WriteSeedPth(string name, ScalarType dtype = ScalarType.Float32)
    {
        var path = files.PathOf(name);
        var state = SafetensorsFile.Read(Fixture.Path("tiny-dense", "weights.safetensors"));
        var table = new System.Collections.Hashtable();
        foreach (var (k, t) in state) table[k] = t.to(dtype);
        PyTorchPickler.PickleStateDict(path, table);
        return path;
    }

    static float LogitError(string checkpoint)
    {
        using var model = ModelCheckpoint.Load(checkpoint);
        var io = Fixture.TinyDenseIo();
        using var _ = no_grad();
        return Fixture.MaxAbsDiff(model.Forward(io["input_ids"]).Logits, io["logits"]);
    }

    [Fact]
    public void SeedPth_WithItsConfig_GivesTheOriginalsLogits()
    {
        var pth = WriteSeedPth("pretrain_64.pth");
        var output = files.PathOf("imported.safetensors");

        var result = CheckpointImporter.Import(pth, output, new ImportOptions { Config = Fixture.TinyDenseConfig(), Stage = "pretrain" });

        Assert.Equal((WeightLayout.MiniMind, false, 21, "options"), (result.Layout, result.IsLoraAdapter, result.Tensors, result.ConfigSource));
        Assert.True(LogitError(output) <= 1e-4, $"max abs logit error {LogitError(output)}");
        var info = ModelCheckpoint.ReadInfo(output)!;
        Assert.Equal("pretrain", info.Stage);
        Assert.Contains("pretrain_64.pth", info.Notes);
    }

    [Fact]
    public void SeedPth_WithOnlyAHeadCount_InfersTheRestFromShapes()
    {
        var pth = WriteSeedPth("pretrain_64.pth");
        var output = files.PathOf("inferred.safetensors");

        var result = CheckpointImporter.Import(pth, output, new ImportOptions { Heads = 4 });

        Assert.Equal("tensor shapes", result.ConfigSource);
        Assert.Equal((64, 2, 4, 2, 6400, 192), (result.Config.Dim, result.Config.NLayers, result.Config.NHeads, result.Config.KvHeads, result.Config.VocabSize, result.Config.FfnHiddenDim));
        Assert.True(LogitError(output) <= 1e-4);
    }

    [Fact]
    public void SeedPth_WithoutConfigOrHeads_IsRefusedWithTheWayOut()
    {
        var pth = WriteSeedPth("pretrain_64.pth");

        var e = Assert.Throws<ArgumentException>(() => CheckpointImporter.Import(pth, files.PathOf("x.safetensors")));

        Assert.Contains(pth, e.Message);
        Assert.Contains("--heads", e.Message);
        Assert.False(File.Exists(files.PathOf("x.safetensors")));
    }

    [Fact]
    public void HalfPrecisionPth_ImportsAsFloat32()
    {
        var pth = WriteSeedPth("full_sft_64.pth", ScalarType.Float16);
        var output = files.PathOf("half.safetensors");

        CheckpointImporter.Import(pth, output, new ImportOptions { Config = Fixture.TinyDenseConfig() });

        Assert.All(SafetensorsFile.Read(output).Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
        Assert.True(LogitError(output) <= 5e-2); // fp16 rounding of the weights, nothing more
    }

    [Fact]
    public void LmConfigBesideTheFile_IsUsed()
    {
        var pth = WriteSeedPth("pretrain_64.pth");
        File.WriteAllText(files.PathOf("lmconfig.json"), Fixture.TinyDenseConfig().ToJson());

        var result = CheckpointImporter.Import(pth, files.PathOf("y.safetensors"));

        Assert.EndsWith("lmconfig.json", result.ConfigSource);
        Assert.True(LogitError(files.PathOf("y.safetensors")) <= 1e-4);
    }

    [Fact]
    public void SeedSafetensors_Imports()
    {
        var output = files.PathOf("z.safetensors");

        CheckpointImporter.Import(Fixture.Path("tiny-dense", "weights.safetensors"), output, new ImportOptions { Config = Fixture.TinyDenseConfig() });

        Assert.True(LogitError(output) <= 1e-4);
    }

    [Fact]
    public void OriginalLoraPth_ImportsOntoItsBase_AndGivesTheAdaptedLogits()
    {
        // the original model_lora.py: adapters on the square projections, saved alone, no scaling
        var baseCheckpoint = files.PathOf("base.safetensors");
        using (var baseModel = Fixture.TinyDenseModel())
            ModelCheckpoint.Save(baseModel, baseCheckpoint, new CheckpointInfo { Config = baseModel.Config });
        manual_seed(8);
        var adapters = new System.Collections.Hashtable();
        foreach (var name in new[] { "layers.0.attention.wq", "layers.0.attention.wo", "layers.1.attention.wq", "layers.1.attention.wo" })
        {
            adapters[name + ".lora.A.weight"] = randn(8, 64) * 0.02;
            adapters[name + ".lora.B.weight"] = randn(64, 8) * 0.02;
        }
        var pth = files.PathOf("lora_identity_64.pth");
        PyTorchPickler.PickleStateDict(pth, adapters);
        var output = files.PathOf("lora.safetensors");

        var result = CheckpointImporter.Import(pth, output, new ImportOptions { BaseCheckpoint = baseCheckpoint });

        Assert.True(result.IsLoraAdapter);
        Assert.Equal(new LoraSettings(8, 8, "square"), ModelCheckpoint.ReadInfo(output)!.Lora);
        using var model = ModelCheckpoint.Load(baseCheckpoint);
        AdapterCheckpoint.Load(model, output);
        using var expected = Fixture.TinyDenseModel();
        using (no_grad())
        {
            foreach (var (name, projection) in expected.Projections())
                if (adapters.ContainsKey(name + ".lora.A.weight"))
                    projection.Weight.add_(((Tensor)adapters[name + ".lora.B.weight"]!).matmul((Tensor)adapters[name + ".lora.A.weight"]!));
        }
        var io = Fixture.TinyDenseIo();
        using var _ = no_grad();
        var adapted = model.Forward(io["input_ids"]).Logits;
        Assert.True(Fixture.MaxAbsDiff(adapted, expected.Forward(io["input_ids"]).Logits) <= 1e-4);
        Assert.True(Fixture.MaxAbsDiff(adapted, io["logits"]) > 1e-4); // the adapter does change the model
    }
}
