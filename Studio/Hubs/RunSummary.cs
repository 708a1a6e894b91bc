using MiniMind.Studio.Services;

namespace MiniMind.Studio.Hubs;

/// <summary>What hub clients receive about a run (status as a lower-case word, stage by name).</summary>
public sealed record RunSummary(string Id, string Stage, string Status, string? Message, long Step, long TotalSteps, double? Loss,
    string? Output, DateTimeOffset CreatedUtc, DateTimeOffset UpdatedUtc)
{
    public static RunSummary From(RunRecord r) => new(r.Id, MiniMind.Engine.Training.TrainingStages.Name(r.Stage),
        r.Status.ToString().ToLowerInvariant(), r.Message, r.Step, r.TotalSteps, r.Loss, r.Output, r.CreatedUtc, r.UpdatedUtc);
}
