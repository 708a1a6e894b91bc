using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Services;

/// <summary>The repository's datasets with a fresh, temporary out/ folder (deleted on dispose).</summary>
public sealed class StudioFolders : IDisposable
{
    public StudioFolders()
    {
        OutDir = Path.Combine(Path.GetTempPath(), "minimind-studio-tests", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(OutDir);
        Options = new StudioOptions { OutDir = OutDir, MetricsIntervalMilliseconds = 50 };
        Paths = new StudioPaths(Repo.Root, Options);
    }

    public string OutDir { get; }
    public StudioOptions Options { get; }
    public StudioPaths Paths { get; }

    public void Dispose()
    {
        try { Directory.Delete(OutDir, recursive: true); }
        catch (IOException) { /* a file still held by a finishing run: the temp folder is cleaned later */ }
    }
}
