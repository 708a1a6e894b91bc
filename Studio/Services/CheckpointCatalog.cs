using MiniMind.Engine.Checkpoints;

namespace MiniMind.Studio.Services;

/// <summary>
/// The checkpoints and adapters under out/, newest first: the weights files with a sidecar (what training, import
/// and the demo write). Run folders' resume states and exported folders (Hugging Face layout, no sidecar) are not
/// checkpoints of the studio and are left out; a sidecar that cannot be read is listed without metadata, so it can be deleted.
/// </summary>
public sealed class CheckpointCatalog(StudioPaths paths)
{
    public IReadOnlyList<CheckpointEntry> List()
    {
        if (!Directory.Exists(paths.OutDir)) return [];
        var runs = Path.Combine(paths.OutDir, "runs") + Path.DirectorySeparatorChar;
        return Directory.EnumerateFiles(paths.OutDir, "*.safetensors", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2 })
            .Where(f => !f.StartsWith(runs, StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith('.') && File.Exists(ModelCheckpoint.SidecarPath(f)))
            .Select(Describe)
            .OrderByDescending(c => c.Created)
            .ToList();
    }

    /// <summary>The models that can be loaded (their sidecar read): what chat, compare, training and evaluation offer.</summary>
    public IReadOnlyList<CheckpointEntry> Models() => List().Where(c => c.Info is not null && !c.IsLora).ToList();
    public IReadOnlyList<CheckpointEntry> Adapters() => List().Where(c => c.IsLora).ToList();

    /// <summary>What can answer a prompt: every model, and every adapter whose base checkpoint exists (answering merged into it).</summary>
    public IReadOnlyList<CheckpointEntry> Answerers() => List().Where(c => c.Info is not null && (!c.IsLora || BaseOf(c) is not null)).ToList();

    /// <summary>The base checkpoint an adapter is applied to (null when missing); a model is its own.</summary>
    public static string? BaseOf(CheckpointEntry entry) =>
        entry.Info is not { } info ? null : info.Lora is null ? entry.Path : ModelCheckpoint.BaseOf(entry.Path, info);

    public CheckpointEntry Describe(string path)
    {
        var file = new FileInfo(path);
        CheckpointInfo? info = null;
        try { info = ModelCheckpoint.ReadInfo(path); }
        catch (Exception) { /* an unreadable sidecar: listed without metadata */ }
        return new CheckpointEntry(file.FullName, Path.GetFileNameWithoutExtension(file.Name), file.Length, file.LastWriteTimeUtc, info);
    }

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
