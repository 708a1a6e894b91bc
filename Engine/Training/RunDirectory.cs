using System.Text.Json;

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

    public static RunDirectory Create(string outDir, TrainingStage stage)
    {
        var id = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{stage.Name()}-{Guid.NewGuid().ToString("N")[..6]}";
        var run = new RunDirectory(System.IO.Path.Combine(outDir, "runs", id));
        Directory.CreateDirectory(run.Path);
        return run;
    }

    /// <summary>An existing run by id (under out_dir/runs) or by folder path.</summary>
    public static RunDirectory Open(string outDir, string idOrPath)
    {
        var path = Directory.Exists(idOrPath) ? idOrPath : System.IO.Path.Combine(outDir, "runs", idOrPath);
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"No run \"{idOrPath}\" (looked for {System.IO.Path.GetFullPath(path)}).");
        return new RunDirectory(path);
    }

    public void WriteConfig(TrainingOptions options, object environment) =>
        Checkpoints.AtomicFile.Write(ConfigPath, tmp => File.WriteAllText(tmp,
            JsonSerializer.Serialize(new { options, environment }, Json)));

    public TrainingOptions ReadOptions()
    {
        if (!File.Exists(ConfigPath)) throw new FileNotFoundException($"The run has no config.json: {ConfigPath}", ConfigPath);
        using var doc = JsonDocument.Parse(File.ReadAllText(ConfigPath));
        return TrainingOptions.FromJson(doc.RootElement.GetProperty("options").GetRawText(), ConfigPath);
    }

    public void AppendMetrics(StepMetrics metrics)
    {
        using var stream = new FileStream(MetricsPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(JsonSerializer.Serialize(metrics));
    }

    public IReadOnlyList<StepMetrics> ReadMetrics()
    {
        if (!File.Exists(MetricsPath)) return [];
        var list = new List<StepMetrics>();
        using var stream = new FileStream(MetricsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try { list.Add(JsonSerializer.Deserialize<StepMetrics>(line)!); }
            catch (JsonException) { break; } // a line cut short by a kill: everything before it is good
        }
        return list;
    }

    /// <summary>Drops metrics after <paramref name="step"/> (logged by a killed run after its last resume state).</summary>
    public void TruncateMetricsAfter(long step)
    {
        var keep = ReadMetrics().Where(m => m.Step <= step).ToList();
        Checkpoints.AtomicFile.Write(MetricsPath, tmp => File.WriteAllLines(tmp, keep.Select(m => JsonSerializer.Serialize(m))));
    }
}
