using MiniMind.Engine.Checkpoints;

namespace MiniMind.Studio.Services;

/// <summary>
/// The checkpoints and adapters under out/, newest first (<see cref="CheckpointDirectory"/>), what each page offers of them,
/// and deleting one.
/// </summary>
public sealed class CheckpointCatalog(StudioPaths paths)
{
    public IReadOnlyList<CheckpointEntry> List() => CheckpointDirectory.List(paths.OutDir);

    /// <summary>The models that can be loaded (their sidecar read): what chat, compare, training and evaluation offer.</summary>
    public IReadOnlyList<CheckpointEntry> Models() => List().Where(c => c.Info is not null && !c.IsLora).ToList();
    public IReadOnlyList<CheckpointEntry> Adapters() => List().Where(c => c.IsLora).ToList();

    /// <summary>What can answer a prompt: every model, and every adapter whose base checkpoint exists (answering merged into it).</summary>
    public IReadOnlyList<CheckpointEntry> Answerers() => List().Where(c => c.Info is not null && (!c.IsLora || BaseOf(c) is not null)).ToList();

    /// <summary>The base checkpoint an adapter is applied to (null when missing); a model is its own.</summary>
    public static string? BaseOf(CheckpointEntry entry) =>
        entry.Info is not { } info ? null : info.Lora is null ? entry.Path : ModelCheckpoint.BaseOf(entry.Path, info);

    public CheckpointEntry Describe(string path) => CheckpointDirectory.Describe(paths.OutDir, path);

    /// <summary>Deletes the weights and their sidecar; only files inside out/.</summary>
    public void Delete(string path)
    {
        var full = Path.GetFullPath(path);
        if (!full.StartsWith(paths.OutDir + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !full.EndsWith(".safetensors", StringComparison.Ordinal))
            throw new ArgumentException($"Only checkpoints under {paths.OutDir} can be deleted.");
        File.Delete(full);
        var sidecar = ModelCheckpoint.SidecarPath(full);
        if (File.Exists(sidecar)) File.Delete(sidecar);
    }
}
