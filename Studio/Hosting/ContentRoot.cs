namespace MiniMind.Studio.Hosting;

/// <summary>
/// The studio reads appsettings.json, wwwroot/, dataset/ and out/ from the repository root.
/// Found from MINIMIND_ROOT, else the nearest folder (from the working directory, then from the
/// application folder) that holds MiniMind.Studio.sln or appsettings.json beside a dataset/ folder.
/// </summary>
public static class ContentRoot
{
    public const string EnvironmentVariable = "MINIMIND_ROOT";

    public static string Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
            return Directory.Exists(fromEnv)
                ? Path.GetFullPath(fromEnv)
                : throw new DirectoryNotFoundException($"{EnvironmentVariable} points to {fromEnv}, which does not exist.");
        return Search(Directory.GetCurrentDirectory()) ?? Search(AppContext.BaseDirectory) ?? Directory.GetCurrentDirectory();
    }

    static string? Search(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MiniMind.Studio.sln")) ||
                (File.Exists(Path.Combine(dir.FullName, "appsettings.json")) && Directory.Exists(Path.Combine(dir.FullName, "dataset"))))
                return dir.FullName;
        }
        return null;
    }
}
