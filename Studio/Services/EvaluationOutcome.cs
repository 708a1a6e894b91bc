using MiniMind.Engine.Evaluation;

namespace MiniMind.Studio.Services;

/// <summary>One checkpoint on one benchmark: the saved record (and where), or why it failed.</summary>
public sealed record EvaluationOutcome(string Checkpoint, EvaluationBenchmark Benchmark, EvaluationRecord? Record, string? SavedPath, string? Error)
{
    public string CheckpointName => Path.GetFileNameWithoutExtension(Checkpoint);
    public bool Succeeded => Record is not null;
    public double? Metric(string name) => Record is not null && Record.Metrics.TryGetValue(name, out var v) ? v : null;
}
