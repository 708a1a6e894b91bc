using MiniMind.Engine.Checkpoints;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Components;

namespace MiniMind.Studio.Tests.Services;

public sealed class CheckpointCatalogTests : IDisposable
{
    readonly StudioFolders folders = new();

    public void Dispose() => folders.Dispose();

    [Fact]
    public void ExportedFolders_AndResumeStates_AreNotListed_AnUnreadableSidecarIsListedButNotOffered()
    {
        var good = CheckpointFiles.Tiny(folders.OutDir, "full_sft_64");
        var export = Path.Combine(folders.OutDir, "export", "full_sft_64-hf");
        Directory.CreateDirectory(export);
        File.Copy(good, Path.Combine(export, "model.safetensors")); // a Hugging Face folder: config.json, no sidecar
        File.WriteAllText(Path.Combine(export, "config.json"), "{}");
        var broken = CheckpointFiles.Tiny(folders.OutDir, "broken");
        File.WriteAllText(ModelCheckpoint.SidecarPath(broken), "{ not json");
        var catalog = new CheckpointCatalog(folders.Paths);

        Assert.Equal(["broken", "full_sft_64"], catalog.List().Select(e => e.Name).Order());
        Assert.Equal(["full_sft_64"], catalog.Models().Select(e => e.Name));
    }
}
