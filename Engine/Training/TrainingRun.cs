using System.Threading.Channels;

namespace MiniMind.Engine.Training;

/// <summary>
/// One submitted run: its status, its latest metrics, control (pause, resume, cancel) and any number of
/// event subscribers. The <see cref="RunManager"/> executes it; everything here is thread-safe.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    readonly Lock gate = new();
    readonly List<Channel<RunEvent>> subscribers = [];
    readonly CancellationTokenSource cancel = new();
    readonly TaskCompletionSource<TrainingResult> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal TrainingRun(RunDirectory directory, TrainingOptions options, bool resume)
    {
        Directory = directory;
        Options = options;
        IsResume = resume;
        Pause.Holding = () => Publish(new RunEvent(Id, RunStatus.Paused));
    }

    public string Id => Directory.Id;
    public RunDirectory Directory { get; }
    public TrainingOptions Options { get; }
    public bool IsResume { get; }
    public RunStatus Status { get; private set; } = RunStatus.Queued;
    public StepMetrics? Latest { get; private set; }
    public string? Message { get; private set; }
    public Task<TrainingResult> Completion => completion.Task;
    /// <summary>When the run got the device and began preparing (null while queued).</summary>
    public DateTimeOffset? StartedUtc { get; private set; }
    /// <summary>When the run ended, whatever its outcome (null until it does).</summary>
    public DateTimeOffset? EndedUtc { get; private set; }
    /// <summary>When the run reached its current status: what a late subscriber's first event says.</summary>
    DateTimeOffset statusSinceUtc = DateTimeOffset.UtcNow;
    public bool IsFinished => Status.IsFinished();

    internal PauseGate Pause { get; } = new();
    internal CancellationToken CancellationToken => cancel.Token;

    /// <summary>Stops the run at the next step boundary; it saves a resume state first.</summary>
    public void Cancel() => cancel.Cancel();

    /// <summary>Asks the run to hold at its next step boundary; the Paused event comes when it does.</summary>
    public void PauseRun()
    {
        lock (gate)
        {
            if (Status != RunStatus.Running) return;
            Pause.Pause();
        }
    }

    public void ResumeRun()
    {
        lock (gate)
        {
            if (Status != RunStatus.Paused) return;
            Pause.Resume();
        }
        Publish(new RunEvent(Id, RunStatus.Running));
    }

    /// <summary>Events from now on (the current status first), until the run ends or the caller stops reading.</summary>
    public async IAsyncEnumerable<RunEvent> Subscribe([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // bounded: a slow reader loses old step events rather than holding memory (lifecycle events are few)
        var channel = Channel.CreateBounded<RunEvent>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (gate)
        {
            channel.Writer.TryWrite(new RunEvent(Id, Status, Latest, Message) { TimeUtc = statusSinceUtc });
            if (IsFinished) channel.Writer.TryComplete();
            else subscribers.Add(channel);
        }
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken)) yield return e;
        }
        finally
        {
            lock (gate) subscribers.Remove(channel);
        }
    }

    internal void Publish(RunEvent e)
    {
        lock (gate)
        {
            if (e.Status != Status) statusSinceUtc = e.TimeUtc;
            if (e.Status == RunStatus.Preparing) StartedUtc ??= e.TimeUtc;
            if (e.Status.IsFinished()) EndedUtc ??= e.TimeUtc;
            Status = e.Status;
            if (e.Step is not null) Latest = e.Step;
            if (e.Message is not null) Message = e.Message;
            foreach (var s in subscribers) s.Writer.TryWrite(e);
            if (IsFinished)
            {
                foreach (var s in subscribers) s.Writer.TryComplete();
                subscribers.Clear();
            }
        }
    }

    internal void Finish(TrainingResult result)
    {
        var status = result.Outcome switch
        {
            RunOutcome.Completed => RunStatus.Completed,
            RunOutcome.Cancelled => RunStatus.Cancelled,
            _ => RunStatus.Failed,
        };
        Publish(new RunEvent(Id, status, Message: result.Message ?? (status == RunStatus.Completed ? $"Wrote {result.OutputPath}" : null)));
        completion.TrySetResult(result);
    }

    public void Dispose()
    {
        cancel.Dispose();
        Pause.Dispose();
    }
}
