using Microsoft.AspNetCore.SignalR;
using MiniMind.Engine.Training;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Hubs;

/// <summary>
/// <c>/hubs/training</c>: every connected client receives <c>RunChanged(RunSummary)</c> on each lifecycle change
/// and <c>Steps(runId, StepMetrics[])</c> with each throttled batch of step metrics. Clients may also ask for the
/// run list and a run's history, and control runs.
/// </summary>
public sealed class TrainingHub(TrainingService training) : Hub
{
    public const string Path = "/hubs/training";
    public const string RunChanged = nameof(RunChanged);
    public const string Steps = nameof(Steps);

    public IReadOnlyList<RunSummary> GetRuns() => training.Runs().Select(RunSummary.From).ToList();

    public IReadOnlyList<StepMetrics> GetMetrics(string runId) => training.Metrics(runId);

    public void Pause(string runId) => training.Pause(runId);
    public void Resume(string runId) => training.Continue(runId);
    public void Stop(string runId) => training.Stop(runId);
}
