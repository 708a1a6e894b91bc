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

public static class RunStatuses
{
    /// <summary>Whether a run in this status has ended (completed, cancelled or failed).</summary>
    public static bool IsFinished(this RunStatus status) => status is RunStatus.Completed or RunStatus.Cancelled or RunStatus.Failed;
}

/// <summary>A change in a run's life, or one of its steps: what subscribers receive.</summary>
public sealed record RunEvent(string RunId, RunStatus Status, StepMetrics? Step = null, string? Message = null)
{
    public DateTimeOffset TimeUtc { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>A checkpoint the run has just written (its output name), for lists that show it before the run ends.</summary>
    public string? Checkpoint { get; init; }
}
