using System.Diagnostics;
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
        var tmp = TemporaryPath(full);
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
    /// A temporary file or folder beside <paramref name="target"/>, named <c>.&lt;name&gt;.pid&lt;writer's process id&gt;.&lt;32 hex&gt;.tmp</c>:
    /// the one naming every atomic write uses (this class, the resume state, exports), so that <see cref="RemoveOrphans"/> can
    /// tell a dead writer's leftovers from a write under way.
    /// </summary>
    public static string TemporaryPath(string target)
    {
        var full = Path.GetFullPath(target);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.pid{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>
    /// How old an unfinished temporary file must be before it counts as orphaned when its writer cannot be told (a name of
    /// earlier builds, without the process id, or a process this user may not look at): a live write touches its file far more often.
    /// </summary>
    public static readonly TimeSpan OrphanAge = TimeSpan.FromMinutes(1);

    /// <summary>The names of <see cref="TemporaryPath"/>, and of earlier builds (no <c>pid</c> part).</summary>
    static readonly Regex TemporaryName = new(@"^\..+?(?:\.pid(?<pid>[0-9]+))?\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture);

    /// <summary>
    /// Deletes the temporary files and folders of atomic writes that a kill left in <paramref name="folder"/> (not its
    /// subfolders), only names of the form this project writes: at once when the process that wrote one is gone (no such
    /// process, or one started after the file was last written: its id was reused), and otherwise, when the writer cannot be
    /// told, once untouched for <see cref="OrphanAge"/>. A write still under way in this or another process is left alone. A
    /// checkpoint's temporary file is as large as the checkpoint, hundreds of MB at the 26M size. Returns what was deleted; a
    /// missing folder or an entry that cannot be deleted is skipped.
    /// </summary>
    public static IReadOnlyList<string> RemoveOrphans(string folder, DateTime? nowUtc = null)
    {
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        var cutoff = (nowUtc ?? DateTime.UtcNow) - OrphanAge;
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            var match = TemporaryName.Match(entry.Name);
            if (!match.Success) continue;
            var touched = LastTouchedUtc(entry);
            var writerAlive = match.Groups["pid"].Success && int.TryParse(match.Groups["pid"].ValueSpan, out var pid) ? WriterAlive(pid, touched) : null;
            if (writerAlive == true || (writerAlive is null && touched > cutoff)) continue;
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

    /// <summary>
    /// Whether process <paramref name="pid"/> can still be writing a file it last touched at <paramref name="touchedUtc"/>:
    /// false when no such process runs, it has exited, or it started after that time (the id now names another process);
    /// null when it cannot be told.
    /// </summary>
    static bool? WriterAlive(int pid, DateTime touchedUtc)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            // a second of slack for the clock's granularity: a reused id cannot start that close to the write
            return process.StartTime.ToUniversalTime() <= touchedUtc + TimeSpan.FromSeconds(1);
        }
        catch (ArgumentException)
        {
            return false; // no process has that id
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
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
