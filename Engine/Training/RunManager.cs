using System.Collections.Concurrent;
using MiniMind.Engine.IO;
using MiniMind.Engine.Runtime;

namespace MiniMind.Engine.Training;

/// <summary>
/// Runs training jobs in the background: one at a time per device (later submissions queue), each on its
/// own long-running thread, so a run never blocks its caller and a failing run never takes the process
/// down (its exception becomes a Failed status with the message).
/// </summary>
public sealed class RunManager(RuntimeInfo runtime) : IDisposable
{
    readonly ConcurrentDictionary<string, TrainingRun> runs = new();
    readonly ConcurrentDictionary<string, SemaphoreSlim> deviceLocks = new();

    public IReadOnlyCollection<TrainingRun> Runs => runs.Values.ToList();

    public TrainingRun? Find(string id) => runs.GetValueOrDefault(id);

    /// <summary>Queues a new run (or the continuation of an existing run folder when <paramref name="resumeRunId"/> is given).</summary>
    public TrainingRun Submit(TrainingOptions options, string? resumeRunId = null)
    {
        options.Validate();
        var directory = resumeRunId is null ? RunDirectory.Create(options.OutDir, options.Stage) : RunDirectory.Open(options.OutDir, resumeRunId);
        if (resumeRunId is not null && runs.TryGetValue(directory.Id, out var existing) && !existing.IsFinished)
            throw new InvalidOperationException($"Run {directory.Id} is still {existing.Status.ToString().ToLowerInvariant()}.");
        var run = new TrainingRun(directory, options, resumeRunId is not null);
        runs[run.Id] = run;
        run.Publish(new RunEvent(run.Id, RunStatus.Queued));
        Task.Factory.StartNew(() => Execute(run), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        return run;
    }

    void Execute(TrainingRun run)
    {
        TrainingResult result;
        SemaphoreSlim? deviceGate = null;
        try
        {
            var device = TorchRuntime.ResolveDevice(run.Options.Device == "auto" ? runtime.Device.ToString() : run.Options.Device);
            var gate = deviceLocks.GetOrAdd(device.ToString(), _ => new SemaphoreSlim(1, 1));
            gate.Wait(run.CancellationToken);
            deviceGate = gate;
            run.Publish(new RunEvent(run.Id, RunStatus.Preparing));
            result = TrainingJob.Execute(run.Options, device, runtime, run.Directory, run.IsResume,
                // a message during the steps (GRPO's sampled completions) keeps the run's status; before them it is preparation
                new SynchronousProgress<string>(m => run.Publish(new RunEvent(run.Id, run.Status is RunStatus.Running or RunStatus.Paused ? run.Status : RunStatus.Preparing, Message: m))),
                m => run.Publish(new RunEvent(run.Id, RunStatus.Running, m)), run.CancellationToken, run.Pause,
                prepared: () => run.Publish(new RunEvent(run.Id, RunStatus.Running)),
                checkpointSaved: path => run.Publish(new RunEvent(run.Id, run.Status) { Checkpoint = path }));
        }
        catch (OperationCanceledException)
        {
            result = new TrainingResult(run.Id, RunOutcome.Cancelled, 0, 0, "", "Cancelled before it started.");
        }
        catch (Exception e)
        {
            var message = NativeErrors.IsOutOfMemory(e)
                ? $"Out of memory while preparing the run ({NativeErrors.Summary(e.Message)}): choose a smaller model, batch_size or max_seq_len."
                : NativeErrors.Summary(e.Message);
            result = new TrainingResult(run.Id, RunOutcome.Failed, 0, 0, "", message);
            try
            {
                File.AppendAllText(Path.Combine(run.Directory.Path, "error.txt"), $"{DateTimeOffset.UtcNow:O} {e}{Environment.NewLine}");
            }
            catch (Exception writing) when (writing is IOException or UnauthorizedAccessException)
            {
                // the run folder is gone or the disk full: the result still carries the message, and the device must still pass on
            }
        }
        // the run is reported finished before the device passes to the next one in the queue
        run.Finish(result);
        deviceGate?.Release();
    }

    public void Dispose()
    {
        foreach (var run in runs.Values) run.Cancel();
        Task.WaitAll(runs.Values.Select(r => r.Completion).ToArray(), TimeSpan.FromSeconds(30));
        foreach (var run in runs.Values) run.Dispose();
    }
}
