using MiniMind.Engine.Training;

namespace MiniMind.Studio.Services;

/// <summary>A run as the registry remembers it: enough for lists, overlays and reattaching after a restart.</summary>
public sealed record RunRecord
{
    public required string Id { get; init; }
    public required TrainingStage Stage { get; init; }
    public required RunStatus Status { get; init; }
    public string? Message { get; init; }
    public required string OptionsJson { get; init; }
    public required string Directory { get; init; }
    public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedUtc { get; init; } = DateTimeOffset.UtcNow;
    public long Step { get; init; }
    public long TotalSteps { get; init; }
    public double? Loss { get; init; }
    /// <summary>The checkpoint it writes (known once it starts).</summary>
    public string? Output { get; init; }

    public bool IsFinished => Status.IsFinished();
    public bool IsActive => !IsFinished;

    public TrainingOptions Options => TrainingOptions.FromJson(OptionsJson, $"run {Id}");
}
