namespace MiniMind.Studio.Tests;

/// <summary>Locations in the repository the tests run from.</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    /// <summary>A reference fixture (kept once, under Engine.Tests/Fixtures/reference).</summary>
    public static string Fixture(params string[] parts) => Path.Combine([Root, "Engine.Tests", "Fixtures", "reference", .. parts]);

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MiniMind.Studio.sln"))) return dir.FullName;
        throw new InvalidOperationException("The tests must run inside the repository (no MiniMind.Studio.sln above " + AppContext.BaseDirectory + ").");
    }
}
