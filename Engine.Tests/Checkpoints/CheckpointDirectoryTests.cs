using MiniMind.Engine.Chat;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;

namespace MiniMind.Engine.Tests.Checkpoints;

/// <summary>The one scan of an out folder that the pages and the API's model list share.</summary>
public sealed class CheckpointDirectoryTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-ckptdir-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly MiniMindConfig Small = new() { Dim = 32, NLayers = 1, NHeads = 2, NKvHeads = 1, VocabSize = 50, MaxSeqLen = 16 };

    string Checkpoint(string relative, bool sidecar = true, string? sidecarText = null, CheckpointInfo? info = null)
    {
        var path = Path.Combine(dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0]);
        if (sidecarText is not null) File.WriteAllText(ModelCheckpoint.SidecarPath(path), sidecarText);
        else if (sidecar) ModelCheckpoint.WriteSidecar(path, info ?? new CheckpointInfo { Config = Small, Stage = "sft" });
        return path;
    }

    [Fact]
    public void ListsSidecaredWeightsAtAnyDepth_AndReplacedOnes_SkippingRunsHiddenAndExports()
    {
        var model = Checkpoint("full_sft_32.safetensors");
        var adapter = Checkpoint("lora/identity_32.safetensors", info: new CheckpointInfo { Config = Small, Stage = "lora", Lora = new LoraSettings(4, 8, "square"), BaseCheckpoint = model });
        var deep = Checkpoint("experiments/a/b/c.safetensors");
        var damaged = Checkpoint("damaged.safetensors", sidecarText: "{ not json");
        Checkpoint("runs/20261205-pretrain-abc/resume/model.safetensors", sidecar: false);
        Checkpoint("runs/20261205-pretrain-abc/pretrain_32.safetensors");
        var replaced = Checkpoint("replaced/full_sft_32-20261205.safetensors"); // a later run's output moved it aside
        Checkpoint(".full_sft_32.safetensors");
        Checkpoint("export/full_sft_32-hf/model.safetensors", sidecar: false);

        var listed = CheckpointDirectory.List(dir);

        Assert.Equal(new[] { model, adapter, deep, damaged, replaced }.Order(), listed.Select(c => c.Path).Order());
        Assert.Equal("replaced/full_sft_32-20261205", listed.Single(c => c.Path == replaced).Id);
        Assert.Equal("lora/identity_32", listed.Single(c => c.Path == adapter).Id);
        Assert.Equal("identity_32", listed.Single(c => c.Path == adapter).Name);
        Assert.Null(listed.Single(c => c.Path == damaged).Info);

        // the API serves the same files, less the one it cannot read
        using var catalog = new ModelCatalog(new ModelCatalogOptions { OutDir = dir, Capacity = 1, Load = new ChatModelOptions() });
        Assert.Equal(["experiments/a/b/c", "full_sft_32", "lora/identity_32", "replaced/full_sft_32-20261205"], catalog.List().Select(e => e.Id));
        Assert.Equal(model, catalog.Find("lora/identity_32")!.WeightsPath);
    }
}
