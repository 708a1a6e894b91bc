using System.Text.Json.Serialization;
using MiniMind.Engine.Model;

namespace MiniMind.Engine.Checkpoints;

/// <summary>
/// The JSON sidecar written beside every checkpoint (<c>name.safetensors</c> + <c>name.json</c>):
/// what a user needs to know what the weights are without loading them.
/// </summary>
public sealed record CheckpointInfo
{
    [JsonPropertyName("format")] public string Format { get; init; } = "minimind-studio-checkpoint/1";
    [JsonPropertyName("config")] public required MiniMindConfig Config { get; init; }
    [JsonPropertyName("stage")] public string Stage { get; init; } = "unknown";
    [JsonPropertyName("step")] public long Step { get; init; }
    [JsonPropertyName("tokenizer")] public string? Tokenizer { get; init; }
    [JsonPropertyName("created_utc")] public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;
    [JsonPropertyName("parameters")] public long Parameters { get; init; }
    [JsonPropertyName("dtype")] public string DType { get; init; } = "float32";
    [JsonPropertyName("run_id")] public string? RunId { get; init; }
    [JsonPropertyName("base_checkpoint")] public string? BaseCheckpoint { get; init; }
    /// <summary>For a LoRA adapter file: its rank, alpha and targets (the weights hold only the adapters).</summary>
    [JsonPropertyName("lora")] public LoraSettings? Lora { get; init; }
    [JsonPropertyName("notes")] public string? Notes { get; init; }
}
