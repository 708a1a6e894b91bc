namespace MiniMind.Engine.Checkpoints;

/// <summary>
/// The checkpoints and LoRA adapters under an out folder, the one scan the studio's pages and the API's model list share:
/// every <c>*.safetensors</c> with a studio sidecar beside it, at any depth (checkpoints a later run moved aside are listed
/// as <c>replaced/&lt;name&gt;-&lt;time&gt;</c>: they can be opened, compared and deleted), except run folders (<c>runs/</c>:
/// resume states) and hidden files (a write under way). Exported folders (Hugging
/// Face layout) have no studio sidecar and are not listed. A sidecar that cannot be read is listed without its metadata
/// (so the page can offer to delete it); it cannot be loaded.
/// </summary>
public static class CheckpointDirectory
{
    /// <summary>Folders under out/ that hold no checkpoints of the studio's own.</summary>
    public static readonly IReadOnlyList<string> Skipped = ["runs"];

    /// <summary>Every checkpoint and adapter, newest first. The folder is read on each call, so new files show at once.</summary>
    public static IReadOnlyList<CheckpointEntry> List(string outDir)
    {
        var root = Path.GetFullPath(outDir);
        if (!Directory.Exists(root)) return [];
        var skipped = Skipped.Select(s => Path.Combine(root, s) + Path.DirectorySeparatorChar).ToList();
        return Directory.EnumerateFiles(root, "*.safetensors", SearchOption.AllDirectories)
            .Where(f => !skipped.Any(s => f.StartsWith(s, StringComparison.Ordinal)) && !Path.GetFileName(f).StartsWith('.')
                        && File.Exists(ModelCheckpoint.SidecarPath(f)))
            .Select(f => Describe(root, f))
            .OrderByDescending(c => c.Created)
            .ThenBy(c => c.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One file: its id is its path under <paramref name="root"/> without <c>.safetensors</c>, with '/' separators.</summary>
    public static CheckpointEntry Describe(string root, string path)
    {
        var file = new FileInfo(path);
        CheckpointInfo? info = null;
        try { info = ModelCheckpoint.ReadInfo(path); }
        catch (InvalidDataException) { /* an unreadable sidecar: listed without metadata */ }
        var id = Path.ChangeExtension(Path.GetRelativePath(root, file.FullName), null).Replace(Path.DirectorySeparatorChar, '/');
        return new CheckpointEntry(file.FullName, id, file.Length, file.LastWriteTimeUtc, info);
    }
}
