namespace MiniMind.Engine.Tests.Interop;

/// <summary>A temporary folder per test class, and helpers to damage files.</summary>
public sealed class InteropTestFiles : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("minimind-interop-").FullName;

    public string PathOf(params string[] parts) => System.IO.Path.Combine([Dir, .. parts]);

    /// <summary>A copy of <paramref name="source"/> cut to <paramref name="fraction"/> of its length.</summary>
    public string Truncated(string source, double fraction, string name)
    {
        var bytes = File.ReadAllBytes(source);
        var path = PathOf(name);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * fraction)]);
        return path;
    }

    /// <summary>Every file under the folder, relative names, sorted.</summary>
    public IReadOnlyList<string> Listing() =>
        Directory.EnumerateFileSystemEntries(Dir, "*", SearchOption.AllDirectories).Select(p => System.IO.Path.GetRelativePath(Dir, p)).Order(StringComparer.Ordinal).ToList();

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
