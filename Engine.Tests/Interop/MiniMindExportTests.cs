using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Interop;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Interop;

/// <summary>Exporting to the original MiniMind .pth layout, for the original Python scripts.</summary>
public sealed class MiniMindExportTests : IDisposable
{
    readonly InteropTestFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void AFolderThatCannotBeWritten_IsNamedInTheError()
    {
        var checkpoint = files.PathOf("run", "sft_step100.safetensors");
        using (var model = Fixture.TinyDenseModel())
            ModelCheckpoint.Save(model, checkpoint, new CheckpointInfo { Config = model.Config, Stage = "sft", Tokenizer = Fixture.Path("seed-tokenizer") });

        var error = Assert.ThrowsAny<IOException>(() => CheckpointExporter.Export(checkpoint, ExportFormat.MiniMindPth, "/proc/minimind-nope"));

        Assert.StartsWith("Cannot write the export under /proc", error.Message);
    }

    [Fact]
    public void DenseExport_IsASeedStateDictNamedAsTheOriginalScriptsExpect()
    {
        var checkpoint = files.PathOf("run", "sft_step100.safetensors");
        using (var model = Fixture.TinyDenseModel())
            ModelCheckpoint.Save(model, checkpoint, new CheckpointInfo { Config = model.Config, Stage = "sft", Tokenizer = Fixture.Path("seed-tokenizer") });

        var result = CheckpointExporter.Export(checkpoint, ExportFormat.MiniMindPth, files.PathOf("out"));

        Assert.Equal([CheckpointExporter.MarkerFile, "full_sft_64.pth", "lmconfig.json", "tokenizer.json", "tokenizer_config.json"], result.Files.Order(StringComparer.Ordinal));
        var state = PyTorchUnpickler.UnpickleStateDict(files.PathOf("out", "full_sft_64.pth"));
        var reference = SafetensorsFile.Read(Fixture.Path("tiny-dense", "weights.safetensors"));
        Assert.Equal(reference.Keys.Order(), state.Keys.Cast<string>().Order());
        foreach (var (name, t) in reference)
            Assert.True(((Tensor)state[name]!).equal(t).all().item<bool>(), $"{name} differs");
        Assert.Equal(Fixture.TinyDenseConfig(), MiniMindConfig.Load(files.PathOf("out", "lmconfig.json")));
    }

    [Fact]
    public void MoEExportThenImport_GivesIdenticalLogits()
    {
        manual_seed(12);
        using var moe = new MiniMindModel(new MiniMindConfig { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, VocabSize = 100, UseMoe = true, MaxSeqLen = 32 });
        moe.eval();
        var checkpoint = files.PathOf("moe.safetensors");
        ModelCheckpoint.Save(moe, checkpoint, new CheckpointInfo { Config = moe.Config, Stage = "pretrain" });

        var result = CheckpointExporter.Export(checkpoint, ExportFormat.MiniMindPth, files.PathOf("moe-out"));
        Assert.Contains("pretrain_32_moe.pth", result.Files);
        var back = files.PathOf("moe-back.safetensors");
        CheckpointImporter.Import(files.PathOf("moe-out", "pretrain_32_moe.pth"), back);

        using var loaded = ModelCheckpoint.Load(back);
        using var ids = randint(0, 100, [2, 11]);
        using var _ = no_grad();
        Assert.Equal(0f, Fixture.MaxAbsDiff(moe.Forward(ids).Logits, loaded.Forward(ids).Logits));
    }

    [Fact]
    public void TransformersStyleMoENames_ImportWithSharedExpertList()
    {
        manual_seed(13);
        var config = new MiniMindConfig { Dim = 32, NLayers = 1, NHeads = 4, NKvHeads = 2, VocabSize = 100, UseMoe = true, MaxSeqLen = 32 };
        using var moe = new MiniMindModel(config);
        moe.eval();
        // the newer MiniMind layout: model.layers.N.mlp.experts.E.gate_proj, mlp.gate, mlp.shared_experts.0.*; q/k rows rotate-half
        var state = moe.state_dict().Where(kv => kv.Key != "output.weight").ToDictionary(
            kv => LlamaNames.ToTransformers(kv.Key)!.Replace("shared_experts.", "shared_experts.0."),
            kv => LlamaNames.IsQuery(kv.Key) ? RotaryPermutation.InterleavedToHalf(kv.Value, 4)
                : LlamaNames.IsKey(kv.Key) ? RotaryPermutation.InterleavedToHalf(kv.Value, 2) : kv.Value.detach().clone());
        var source = files.PathOf("newer.safetensors");
        SafetensorsFile.Write(source, state.ToList());
        var back = files.PathOf("newer-back.safetensors");

        CheckpointImporter.Import(source, back, new ImportOptions { Config = config });

        using var loaded = ModelCheckpoint.Load(back);
        using var ids = randint(0, 100, [1, 9]);
        using var _ = no_grad();
        Assert.Equal(0f, Fixture.MaxAbsDiff(moe.Forward(ids).Logits, loaded.Forward(ids).Logits));
    }
}
