namespace MiniMind.Engine.Training;

public enum RunOutcome
{
    Completed,
    Cancelled,
    Failed,
}

/// <summary>How a run ended: its outcome, the optimizer steps done, why it stopped if it failed, and its output.</summary>
public sealed record TrainingResult(string RunId, RunOutcome Outcome, long Steps, long TotalSteps, string OutputPath, string? Message = null);
