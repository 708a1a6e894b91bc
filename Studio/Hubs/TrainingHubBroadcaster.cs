using Microsoft.AspNetCore.SignalR;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Hubs;

/// <summary>Forwards the (already throttled) training notifications to every hub client.</summary>
public sealed class TrainingHubBroadcaster(TrainingNotifications notifications, IHubContext<TrainingHub> hub) : IHostedService
{
    IDisposable? subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        subscription = notifications.Subscribe(
            run => hub.Clients.All.SendAsync(TrainingHub.RunChanged, RunSummary.From(run)),
            (runId, steps) => hub.Clients.All.SendAsync(TrainingHub.Steps, runId, steps));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        subscription?.Dispose();
        return Task.CompletedTask;
    }
}
