namespace MiniMind.Studio.Services;

/// <summary>The studio's folders as absolute paths, resolved once against the content root.</summary>
public sealed class StudioPaths
{
    public StudioPaths(string contentRoot, StudioOptions options)
    {
        ContentRoot = Path.GetFullPath(contentRoot);
        DatasetFolders = (options.DatasetFolders is { Length: > 0 } folders ? folders : ["dataset"]).Select(Resolve).Distinct().ToArray();
        OutDir = Resolve(options.OutDir);
        Tokenizer = Resolve(options.Tokenizer);
        RegistryPath = string.IsNullOrWhiteSpace(options.RegistryPath) ? Path.Combine(OutDir, "studio.db") : Resolve(options.RegistryPath);
        Directory.CreateDirectory(OutDir);
    }

    public string ContentRoot { get; }
    public IReadOnlyList<string> DatasetFolders { get; }
    public string UploadFolder => DatasetFolders.Count > 0 ? DatasetFolders[0] : Path.Combine(ContentRoot, "dataset");
    public string OutDir { get; }
    public string Tokenizer { get; }
    public string RegistryPath { get; }

    /// <summary>A path from a form or a config: absolute as given, else relative to the content root. Throws an <see cref="ArgumentException"/> naming it when it cannot be a path.</summary>
    public string Resolve(string path)
    {
        try
        {
            return Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(ContentRoot, path));
        }
        catch (ArgumentException e)
        {
            var shown = string.Concat(path.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
            var reason = e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
            throw new ArgumentException($"\"{shown}\" is not a valid path: {reason}", e);
        }
    }

    /// <summary>How a path is shown: relative to the content root when inside it.</summary>
    public string Display(string path)
    {
        var relative = Path.GetRelativePath(ContentRoot, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    /// <summary>Tokenizer folders: the configured one and every folder with a tokenizer.json under the dataset folders and out/.</summary>
    public IReadOnlyList<string> TokenizerFolders()
    {
        var found = new List<string> { Tokenizer };
        foreach (var root in DatasetFolders.Append(OutDir).Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(root, "tokenizer.json", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3 }))
            {
                var dir = Path.GetDirectoryName(file)!;
                if (!found.Contains(dir, StringComparer.Ordinal) && !dir.Contains("/.cache", StringComparison.Ordinal)) found.Add(dir);
            }
        }
        return found;
    }
}
