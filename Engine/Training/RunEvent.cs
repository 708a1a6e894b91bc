namespace MiniMind.Engine.Training;

public enum RunStatus
{
    Queued,
    Preparing,
    Running,
    Paused,
    Completed,
    Cancelled,
    Failed,
}

/// <summary>A change in a run's life, or one of its steps: what subscribers receive.</summary>
public sealed record RunEvent(string RunId, RunStatus Status, StepMetrics? Step = null, string? Message = null)
{
    public DateTimeOffset TimeUtc { get; init; } = DateTimeOffset.UtcNow;
}
