using System.Security.Cryptography;
using System.Text;
using MiniMind.Engine.IO;

namespace MiniMind.Engine.Data;

/// <summary>
/// Where derived files (line index, tokenized cache, statistics) of a dataset live: a <c>.cache/</c> folder beside it,
/// or, when that folder cannot be written (a read-only checkout), a per-file folder under the temp directory.
/// </summary>
public static class CacheLocation
{
    /// <summary>The path of the derived file <paramref name="suffix"/> of <paramref name="dataPath"/>, with its folder created.</summary>
    public static string For(string dataPath, string suffix)
    {
        var full = Path.GetFullPath(dataPath);
        var name = Path.GetFileName(full) + suffix;
        var beside = Path.Combine(Path.GetDirectoryName(full)!, ".cache");
        if (TryPrepare(beside)) return Path.Combine(beside, name);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..16];
        var fallback = Path.Combine(Path.GetTempPath(), "minimind-cache", hash);
        Directory.CreateDirectory(fallback);
        return Path.Combine(fallback, name);
    }

    static bool TryPrepare(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Writes through a temporary file renamed over the target, so a crash never leaves a half-written cache under the real name.</summary>
    public static void WriteAtomically(string path, Action<FileStream> write) =>
        AtomicFile.Write(path, temp =>
        {
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            write(stream);
        });
}
