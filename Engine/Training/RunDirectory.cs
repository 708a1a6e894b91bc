using System.Text.Json;
using MiniMind.Engine.IO;

namespace MiniMind.Engine.Training;

/// <summary>
/// A run's folder, <c>out/runs/&lt;run-id&gt;/</c>: config.json (full options and environment),
/// metrics.jsonl (one line per optimizer step), resume/ (the latest resume state).
/// </summary>
public sealed class RunDirectory
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public RunDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Id = System.IO.Path.GetFileName(Path);
    }

    public string Id { get; }
    public string Path { get; }
    public string ConfigPath => System.IO.Path.Combine(Path, "config.json");
    public string MetricsPath => System.IO.Path.Combine(Path, "metrics.jsonl");
    public string ResumePath => System.IO.Path.Combine(Path, "resume");

    const string IdTime = "yyyyMMdd-HHmmss";

    /// <summary>When the run was created: the time its id begins with, else (a folder named otherwise) the folder's creation time.</summary>
    public DateTimeOffset CreatedUtc =>
        DateTime.TryParseExact(Id.Length >= IdTime.Length ? Id[..IdTime.Length] : "", IdTime, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var at)
            ? new DateTimeOffset(at) : new DateTimeOffset(Directory.GetCreationTimeUtc(Path));

    public static RunDirectory Create(string outDir, TrainingStage stage)
    {
        var id = $"{DateTime.UtcNow.ToString(IdTime, System.Globalization.CultureInfo.InvariantCulture)}-{stage.Name()}-{Guid.NewGuid().ToString("N")[..6]}";
        var run = new RunDirectory(System.IO.Path.Combine(outDir, "runs", id));
        Directory.CreateDirectory(run.Path);
        return run;
    }

    /// <summary>
    /// Removes what killed writes left in <paramref name="outDir"/> and in every run folder under it (see
    /// <see cref="AtomicFile.RemoveOrphans"/>); the studio calls it when it starts.
    /// </summary>
    public static IReadOnlyList<string> RemoveOrphans(string outDir, DateTime? nowUtc = null)
    {
        var runs = System.IO.Path.Combine(outDir, "runs");
        var folders = Directory.Exists(runs) ? Directory.EnumerateDirectories(runs).Prepend(outDir) : [outDir];
        return folders.SelectMany(folder => AtomicFile.RemoveOrphans(folder, nowUtc)).ToList();
    }

    /// <summary>An existing run by id (under out_dir/runs) or by folder path.</summary>
    public static RunDirectory Open(string outDir, string idOrPath)
    {
        var path = Directory.Exists(idOrPath) ? idOrPath : System.IO.Path.Combine(outDir, "runs", idOrPath);
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"No run \"{idOrPath}\" (looked for {System.IO.Path.GetFullPath(path)}).");
        return new RunDirectory(path);
    }

    public void WriteConfig(TrainingOptions options, object environment) =>
        AtomicFile.Write(ConfigPath, tmp => File.WriteAllText(tmp,
            JsonSerializer.Serialize(new { options, environment }, Json)));

    public TrainingOptions ReadOptions()
    {
        if (!File.Exists(ConfigPath)) throw new FileNotFoundException($"The run has no config.json: {ConfigPath}", ConfigPath);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(ConfigPath));
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("options", out var options))
                throw new InvalidDataException($"{ConfigPath}: the run's config has no \"options\" object (damaged?); start a new run with the settings you want.");
            return TrainingOptions.FromJson(options.GetRawText(), ConfigPath);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{ConfigPath}: the run's config is not valid JSON ({e.Message}); it was damaged, so the run cannot be resumed with its settings.", e);
        }
    }

    public void AppendMetrics(StepMetrics metrics)
    {
        using var stream = new FileStream(MetricsPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(JsonSerializer.Serialize(metrics));
    }

    /// <summary>Lines of metrics.jsonl that could not be read, moved aside by a resume (never dropped).</summary>
    public string RejectedMetricsPath => System.IO.Path.Combine(Path, "metrics.rejected.jsonl");

    /// <summary>Every readable step; a line that cannot be read (cut short by a kill, or damaged) is skipped, not the rest.</summary>
    public IReadOnlyList<StepMetrics> ReadMetrics() => ReadMetricLines().Where(l => l.Metrics is not null).Select(l => l.Metrics!).ToList();

    /// <summary>
    /// The lines of metrics.jsonl as bytes (split at <c>\n</c> only, so a damaged line is kept exactly as it was, whatever bytes
    /// it holds) with their step when the line reads as one. Blank lines are skipped.
    /// </summary>
    List<(byte[] Line, StepMetrics? Metrics)> ReadMetricLines()
    {
        var lines = new List<(byte[], StepMetrics?)>();
        if (!File.Exists(MetricsPath)) return lines;
        var buffer = new MemoryStream();
        using (var stream = new FileStream(MetricsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)) stream.CopyTo(buffer);
        var rest = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        while (rest.Length > 0)
        {
            int end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            var text = line.TrimEnd((byte)'\r');
            if (text.Trim(" \t"u8).IsEmpty) continue;
            StepMetrics? metrics = null;
            try { metrics = JsonSerializer.Deserialize<StepMetrics>(text); }
            catch (JsonException) { /* kept as an unreadable line */ }
            lines.Add((line.ToArray(), metrics));
        }
        return lines;
    }

    /// <summary>
    /// Drops the metrics of steps after <paramref name="step"/> (logged by a killed run after its last resume state; they
    /// are run again). A line that cannot be read is not history to drop: it is appended to metrics.rejected.jsonl.
    /// Returns how many lines were moved there.
    /// </summary>
    public int TruncateMetricsAfter(long step)
    {
        var lines = ReadMetricLines();
        var rejected = lines.Where(l => l.Metrics is null).Select(l => l.Line).ToList();
        if (rejected.Count > 0)
            using (var aside = new FileStream(RejectedMetricsPath, FileMode.Append, FileAccess.Write)) WriteLines(aside, rejected);
        var keep = lines.Where(l => l.Metrics is { } m && m.Step <= step).Select(l => l.Line).ToList();
        AtomicFile.Write(MetricsPath, tmp =>
        {
            using var file = File.Create(tmp);
            WriteLines(file, keep);
        });
        return rejected.Count;
    }

    static void WriteLines(Stream stream, IEnumerable<byte[]> lines)
    {
        foreach (var line in lines)
        {
            stream.Write(line);
            stream.WriteByte((byte)'\n');
        }
    }
}
