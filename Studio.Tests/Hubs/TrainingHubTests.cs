using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Training;
using MiniMind.Studio.Hubs;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Services;

namespace MiniMind.Studio.Tests.Hubs;

/// <summary>An external .NET SignalR client follows a real training run through /hubs/training.</summary>
public sealed class TrainingHubTests : IClassFixture<StudioServer>
{
    readonly StudioServer server;

    public TrainingHubTests(StudioServer server) => this.server = server;

    [Fact]
    public async Task AClientReceivesLifecycleAndEveryStepOfARun_InThrottledBatches()
    {
        var changes = new ConcurrentQueue<RunSummary>();
        var batches = new ConcurrentQueue<(string RunId, StepMetrics[] Steps)>();
        var completed = new TaskCompletionSource<RunSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, TrainingHub.Path)).Build();
        connection.On<RunSummary>(TrainingHub.RunChanged, r =>
        {
            changes.Enqueue(r);
            if (r.Status is "completed" or "failed" or "cancelled") completed.TrySetResult(r);
        });
        connection.On<string, StepMetrics[]>(TrainingHub.Steps, (id, steps) => batches.Enqueue((id, steps)));
        await connection.StartAsync();

        var run = server.Services.GetRequiredService<TrainingService>().Start(TinyRun.Pretrain(steps: 6, outputName: "hub_test"));
        var end = await completed.Task.WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(run.Id, end.Id);
        Assert.Equal("completed", end.Status);
        Assert.Contains(changes, c => c.Id == run.Id && c.Status == "running");
        var steps = batches.Where(b => b.RunId == run.Id).SelectMany(b => b.Steps).Select(s => s.Step).ToList();
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), steps);
        Assert.True(batches.Count < steps.Count + 1, "steps arrive in batches, not one message per step when they come faster than the interval");

        var history = await connection.InvokeAsync<StepMetrics[]>(nameof(TrainingHub.GetMetrics), run.Id);
        Assert.Equal(6, history.Length);
        var runs = await connection.InvokeAsync<RunSummary[]>(nameof(TrainingHub.GetRuns));
        Assert.Contains(runs, r => r.Id == run.Id && r.Status == "completed" && r.Output!.EndsWith("hub_test.safetensors", StringComparison.Ordinal));
    }
}
