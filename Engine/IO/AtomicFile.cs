using System.Text.RegularExpressions;

namespace MiniMind.Engine.IO;

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

    /// <summary>How old an unfinished temporary file must be before it counts as orphaned: a live write touches its file far more often.</summary>
    public static readonly TimeSpan OrphanAge = TimeSpan.FromMinutes(1);

    /// <summary>The names this class (and the resume and export writers) give temporary files and folders: <c>.&lt;name&gt;.&lt;32 hex&gt;.tmp</c>.</summary>
    static readonly Regex TemporaryName = new(@"^\..+\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Deletes the temporary files and folders of atomic writes that a kill left in <paramref name="folder"/> (not its
    /// subfolders): only names of the form this project writes, untouched for <see cref="OrphanAge"/>, so a write still
    /// under way in another process is left alone. A checkpoint's temporary file is as large as the checkpoint, hundreds of MB
    /// at the 26M size. Returns what was deleted; a missing folder or an entry that cannot be deleted is skipped.
    /// </summary>
    public static IReadOnlyList<string> RemoveOrphans(string folder, DateTime? nowUtc = null)
    {
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        var cutoff = (nowUtc ?? DateTime.UtcNow) - OrphanAge;
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (!TemporaryName.IsMatch(entry.Name) || LastTouchedUtc(entry) > cutoff) continue;
            try
            {
                if (entry is DirectoryInfo directory) directory.Delete(recursive: true);
                else entry.Delete();
                removed.Add(entry.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // in use or not ours to delete after all: left for the next start
            }
        }
        return removed;
    }

    static DateTime LastTouchedUtc(FileSystemInfo entry) => entry is DirectoryInfo directory
        ? directory.EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Select(e => e.LastWriteTimeUtc).Append(directory.LastWriteTimeUtc).Max()
        : entry.LastWriteTimeUtc;

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
