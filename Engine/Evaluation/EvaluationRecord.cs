using System.Text.Json;
using System.Text.Json.Serialization;
using MiniMind.Engine.IO;

namespace MiniMind.Engine.Evaluation;

/// <summary>One evaluation, saved under out/evals/: what was measured, on which checkpoint, with which settings, when.</summary>
public sealed record EvaluationRecord
{
    [JsonPropertyName("checkpoint")] public required string Checkpoint { get; init; }
    [JsonPropertyName("benchmark")] public required string Benchmark { get; init; }
    [JsonPropertyName("settings")] public IReadOnlyDictionary<string, object?> Settings { get; init; } = new Dictionary<string, object?>();
    /// <summary>Headline figures: accuracy, perplexity, bits_per_byte, correct, total...</summary>
    [JsonPropertyName("metrics")] public required IReadOnlyDictionary<string, double> Metrics { get; init; }
    [JsonPropertyName("by_subject"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, double>? BySubject { get; init; }
    [JsonPropertyName("details"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? Details { get; init; }
    [JsonPropertyName("created_utc")] public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the record to out_dir/evals/ (atomically) and returns its path.</summary>
    public string Save(string outDir)
    {
        var dir = Path.Combine(outDir, "evals");
        Directory.CreateDirectory(dir);
        var name = $"{CreatedUtc:yyyyMMdd-HHmmss}-{Safe(Path.GetFileNameWithoutExtension(Checkpoint))}-{Safe(Benchmark)}.json";
        var path = Path.Combine(dir, name);
        AtomicFile.Write(path, tmp => File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json)));
        return path;
    }

    /// <summary>Every saved evaluation, newest first (unreadable files are skipped).</summary>
    public static IReadOnlyList<EvaluationRecord> List(string outDir)
    {
        var dir = Path.Combine(outDir, "evals");
        if (!Directory.Exists(dir)) return [];
        var records = new List<EvaluationRecord>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<EvaluationRecord>(File.ReadAllText(file)) is { } r) records.Add(r with { Details = null });
            }
            catch (JsonException) { }
        }
        return records.OrderByDescending(r => r.CreatedUtc).ToList();
    }

    static string Safe(string s) => new(s.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
}
