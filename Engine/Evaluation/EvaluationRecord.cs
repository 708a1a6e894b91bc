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

    /// <summary>
    /// What a perplexity record scored, in words: "12,345 tokens of 30 documents", and when a budget cut it short, how many
    /// documents were cut and how many were not reached (records from before the budgets hold only the token count).
    /// </summary>
    public static string PerplexityScope(IReadOnlyDictionary<string, double> metrics)
    {
        var scope = $"{metrics.GetValueOrDefault("tokens"):N0} tokens";
        if (metrics.TryGetValue("documents", out var documents)) scope += $" of {documents:N0} document{(documents == 1 ? "" : "s")}";
        if (metrics.GetValueOrDefault("truncated_documents") is > 0 and var cut) scope += $"; {cut:N0} cut short by a token budget";
        if (metrics.GetValueOrDefault("documents_not_reached") is > 0 and var rest) scope += $"; {rest:N0} not reached (the run's token budget was spent)";
        return scope;
    }

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
