using MiniMind.Engine.Training;

namespace MiniMind.Studio.Services;

/// <summary>
/// Fans run lifecycle changes and step metrics out to pages and the SignalR hub. Step metrics are batched per
/// run and delivered at most once per <see cref="StudioOptions.MetricsIntervalMilliseconds"/>, so a fast run
/// never floods a browser; lifecycle changes go out at once (after the steps that preceded them).
/// Subscribing returns an <see cref="IDisposable"/> that ends the subscription.
/// </summary>
public sealed class TrainingNotifications : IDisposable
{
    readonly Lock gate = new();
    readonly List<Subscription> subscribers = [];
    readonly Dictionary<string, List<StepMetrics>> pending = [];
    readonly Timer timer;

    public TrainingNotifications(StudioOptions options)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(20, options.MetricsIntervalMilliseconds));
        timer = new Timer(_ => FlushAll(), null, interval, interval);
    }

    /// <summary>
    /// <paramref name="onRun"/> receives each lifecycle change (status, message, output); <paramref name="onSteps"/>
    /// receives batches of step metrics of one run in step order. Handlers run on a background thread
    /// (a component marshals with InvokeAsync); an exception in one never reaches the others.
    /// </summary>
    public IDisposable Subscribe(Func<RunRecord, Task>? onRun = null, Func<string, IReadOnlyList<StepMetrics>, Task>? onSteps = null)
    {
        var subscription = new Subscription(this, onRun, onSteps);
        lock (gate) subscribers.Add(subscription);
        return subscription;
    }


    /// <summary>Queues a step of a run for the next delivery.</summary>
    public void QueueStep(StepMetrics step)
    {
        lock (gate)
        {
            if (!pending.TryGetValue(step.RunId, out var list)) pending[step.RunId] = list = [];
            list.Add(step);
        }
    }

    /// <summary>Delivers a lifecycle change now, after any steps of that run still queued.</summary>
    public void PublishRun(RunRecord run)
    {
        Flush(run.Id);
        foreach (var s in Snapshot()) s.DeliverRun(run);
    }

    void FlushAll()
    {
        string[] ids;
        lock (gate) ids = pending.Keys.ToArray();
        foreach (var id in ids) Flush(id);
    }

    void Flush(string runId)
    {
        List<StepMetrics>? batch;
        lock (gate)
        {
            if (!pending.Remove(runId, out batch) || batch.Count == 0) return;
        }
        foreach (var s in Snapshot()) s.DeliverSteps(runId, batch);
    }

    Subscription[] Snapshot()
    {
        lock (gate) return subscribers.ToArray();
    }

    void Remove(Subscription subscription)
    {
        lock (gate) subscribers.Remove(subscription);
    }

    public void Dispose() => timer.Dispose();

    sealed class Subscription(TrainingNotifications owner, Func<RunRecord, Task>? onRun, Func<string, IReadOnlyList<StepMetrics>, Task>? onSteps) : IDisposable
    {
        // one delivery at a time per subscriber, in order
        readonly SemaphoreSlim order = new(1, 1);
        volatile bool disposed;

        public void DeliverRun(RunRecord run)
        {
            if (onRun is not null) _ = Deliver(() => onRun(run));
        }

        public void DeliverSteps(string runId, IReadOnlyList<StepMetrics> steps)
        {
            if (onSteps is not null) _ = Deliver(() => onSteps(runId, steps));
        }

        async Task Deliver(Func<Task> handler)
        {
            if (disposed) return;
            await order.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!disposed) await handler().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // a failing subscriber (a closed circuit, a dropped connection) must not affect the run or the others
            }
            finally
            {
                order.Release();
            }
        }

        public void Dispose()
        {
            disposed = true;
            owner.Remove(this);
        }
    }
}
