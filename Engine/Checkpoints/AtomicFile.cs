namespace MiniMind.Engine.Checkpoints;

/// <summary>
/// The one way files and folders that must never be half-written are written (checkpoints, sidecars, run configs
/// and metrics rewrites, evaluation records, caches, resume states, exports): a temporary file or folder beside the
/// target, renamed over it when complete. A crash leaves the old one or the new one, never a mix.
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

    /// <summary>
    /// Puts a finished <paramref name="staging"/> folder in place of <paramref name="target"/>: the old target is moved to
    /// <paramref name="aside"/> first (restored if the swap fails) and deleted after, so a crash leaves one whole folder.
    /// </summary>
    public static void ReplaceFolder(string staging, string target, string aside)
    {
        if (Directory.Exists(aside)) Directory.Delete(aside, recursive: true);
        bool hadTarget = Directory.Exists(target);
        if (hadTarget) Directory.Move(target, aside);
        try
        {
            Directory.Move(staging, target);
        }
        catch
        {
            if (hadTarget) Directory.Move(aside, target);
            throw;
        }
        if (hadTarget) Directory.Delete(aside, recursive: true);
    }
}
