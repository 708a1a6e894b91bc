using System.Collections.Concurrent;
using MiniMind.Engine.Data;

namespace MiniMind.Studio.Services;

/// <summary>
/// The jsonl (and parquet) files under the configured dataset folders, with their detected format (cached per
/// file size and time), and uploads: size-limited, validated, never overwriting an existing file.
/// </summary>
public sealed class DatasetCatalog(StudioPaths paths, StudioOptions options)
{
    readonly ConcurrentDictionary<string, (long Length, DateTime Time, DatasetKind? Kind, string? Problem, bool Evaluation, DatasetFormat.Detection? Mixed)> detected = new();

    public long MaxUploadBytes => (long)options.MaxUploadMegabytes * 1024 * 1024;

    public IReadOnlyList<DatasetEntry> List()
    {
        var list = new List<DatasetEntry>();
        foreach (var folder in paths.DatasetFolders.Where(Directory.Exists))
        {
            var files = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3 })
                .Where(f => f.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.cache{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
            foreach (var f in files.Order(StringComparer.Ordinal)) list.Add(Describe(f));
        }
        return list;
    }

    public DatasetEntry Describe(string path)
    {
        var file = new FileInfo(path);
        var (kind, problem, evaluation, mixed) = Detect(file);
        return new DatasetEntry(file.FullName, paths.Display(file.FullName), file.Length, file.LastWriteTimeUtc, kind, problem, evaluation) { Mixed = mixed };
    }

    (DatasetKind? Kind, string? Problem, bool Evaluation, DatasetFormat.Detection? Mixed) Detect(FileInfo file)
    {
        if (detected.TryGetValue(file.FullName, out var c) && c.Length == file.Length && c.Time == file.LastWriteTimeUtc) return (c.Kind, c.Problem, c.Evaluation, c.Mixed);
        DatasetKind? kind = null;
        string? problem = null;
        var evaluation = false;
        DatasetFormat.Detection? mixed = null;
        try
        {
            var detection = DatasetFormat.Probe(file.FullName);
            kind = detection.Kind;
            if (detection.Mixed) mixed = detection;
        }
        catch (InvalidDataException e) when (DatasetFormat.IsEvaluationFile(e))
        {
            evaluation = true;
            problem = $"{paths.Display(file.FullName)}: a benchmark (its records are questions with expected answers), not training data: evaluate checkpoints with it on the Evaluate page.";
        }
        catch (Exception e)
        {
            problem = e.Message;
        }
        detected[file.FullName] = (file.Length, file.LastWriteTimeUtc, kind, problem, evaluation, mixed);
        return (kind, problem, evaluation, mixed);
    }

    /// <summary>
    /// Stores an uploaded file under the upload folder: refuses names that exist (never overwrites), files over the
    /// limit and files (jsonl or parquet) whose kind cannot be detected (the partial file is removed). Returns the stored entry.
    /// </summary>
    public async Task<DatasetEntry> UploadAsync(string fileName, Stream content, CancellationToken cancellationToken = default)
    {
        var name = Path.GetFileName(fileName);
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.StartsWith('.'))
            throw new ArgumentException($"\"{fileName}\" is not a usable file name.");
        var extension = Path.GetExtension(name).ToLowerInvariant();
        if (extension is not (".jsonl" or ".parquet")) throw new ArgumentException("Only .jsonl and .parquet files can be uploaded.");
        Directory.CreateDirectory(paths.UploadFolder);
        var target = Path.Combine(paths.UploadFolder, name);
        if (File.Exists(target)) throw new IOException($"{paths.Display(target)} already exists: rename the file or delete the old one first.");
        var temporary = Path.Combine(paths.UploadFolder, $".upload-{Guid.NewGuid():N}{extension}");
        try
        {
            await Uploads.CopyLimitedAsync(content, temporary, name, options.MaxUploadMegabytes, cancellationToken);
            try { DatasetFormat.Detect(temporary); }
            catch (Exception e) { throw new ArgumentException($"{name} is not a usable dataset: {e.Message.Replace(temporary, name)}"); }
            File.Move(temporary, target, overwrite: false);
            return Describe(target);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
