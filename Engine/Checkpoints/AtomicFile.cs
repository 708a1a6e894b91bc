namespace MiniMind.Engine.Checkpoints;

/// <summary>
/// The one way files that must never be half-written are written (checkpoints, sidecars, run configs and
/// metrics rewrites, evaluation records, caches): a temporary file in the target's folder, renamed over the
/// target when complete. A crash leaves the old file or the new one, never a mix.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes through a temporary file in the target's folder, then renames it over the target.</summary>
    public static void Write(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
