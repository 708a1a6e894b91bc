using System.Text.Json.Serialization;

namespace MiniMind.Engine.Training;

/// <summary>What one optimizer step reports: a line of metrics.jsonl and a point on the studio's curves.</summary>
public sealed record StepMetrics
{
    [JsonPropertyName("run_id")] public required string RunId { get; init; }
    [JsonPropertyName("step")] public long Step { get; init; }
    [JsonPropertyName("total_steps")] public long TotalSteps { get; init; }
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    /// <summary>Mean loss over the step's micro-batches, unscaled by accumulation (MoE aux included).</summary>
    [JsonPropertyName("loss")] public double Loss { get; init; }
    [JsonPropertyName("aux_loss")] public double AuxLoss { get; init; }
    [JsonPropertyName("lr")] public double LearningRate { get; init; }
    /// <summary>Gradient L2 norm before clipping.</summary>
    [JsonPropertyName("grad_norm")] public double GradNorm { get; init; }
    [JsonPropertyName("tokens_per_s")] public double TokensPerSecond { get; init; }
    /// <summary>Targets that count (not padding, not masked prompt) per second.</summary>
    [JsonPropertyName("useful_tokens_per_s")] public double UsefulTokensPerSecond { get; init; }
    [JsonPropertyName("elapsed_s")] public double ElapsedSeconds { get; init; }
    [JsonPropertyName("eta_s")] public double EtaSeconds { get; init; }
    [JsonPropertyName("memory_mb")] public double MemoryMegabytes { get; init; }
    [JsonPropertyName("extra"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, double>? Extra { get; init; }
    [JsonPropertyName("time_utc")] public DateTimeOffset TimeUtc { get; init; } = DateTimeOffset.UtcNow;
}
