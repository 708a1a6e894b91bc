using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MiniMind.Engine.Training;

namespace MiniMind.Studio.Services;

/// <summary>
/// Starts and controls training runs for the pages and the hub: resolves the form's paths against the content
/// root, submits to the engine's <see cref="RunManager"/> (runs execute on background threads), follows each
/// run's events into the <see cref="RunRegistry"/> and the <see cref="TrainingNotifications"/>.
/// </summary>
public sealed class TrainingService
{
    static readonly TimeSpan RegistryInterval = TimeSpan.FromSeconds(2);

    readonly RunManager manager;
    readonly RunRegistry registry;
    readonly TrainingNotifications notifications;
    readonly StudioPaths paths;
    readonly ILogger<TrainingService> logger;
    readonly ConcurrentDictionary<string, RunRecord> live = new();
    readonly ConcurrentDictionary<string, List<(long Step, string Line)>> logs = new(); // each line with the run's step when it was written
    readonly ConcurrentDictionary<string, Task> watchers = new(); // each followed run's follower, which writes its end

    public TrainingService(RunManager manager, RunRegistry registry, TrainingNotifications notifications, StudioPaths paths, ILogger<TrainingService> logger)
    {
        this.manager = manager;
        this.registry = registry;
        this.notifications = notifications;
        this.paths = paths;
        this.logger = logger;
        var interrupted = registry.MarkInterrupted();
        if (interrupted > 0) logger.LogWarning("{Count} run(s) were active when the studio last stopped; marked as interrupted.", interrupted);
    }

    /// <summary>Every run: live ones as they are now, the rest from the registry; newest first; each naming the checkpoint it wrote, wherever it now is.</summary>
    public IReadOnlyList<RunRecord> Runs()
    {
        var stored = registry.List().ToDictionary(r => r.Id);
        foreach (var (id, run) in live) stored[id] = run;
        return stored.Values.Select(Located).OrderByDescending(r => r.CreatedUtc).ThenByDescending(r => r.Id).ToList();
    }

    public RunRecord? Find(string id) => (live.TryGetValue(id, out var run) ? run : registry.Find(id)) is { } found ? Located(found) : null;

    /// <summary>
    /// The run with <see cref="RunRecord.Output"/> at the weights it wrote: when a later run of the same output name moved
    /// them to out/replaced/ (the file at the old place names the later run in its sidecar), the copy there whose sidecar
    /// names this run. A run never points at another run's weights.
    /// </summary>
    RunRecord Located(RunRecord run)
    {
        if (run.Output is not { } output || ModelCheckpointOwner(output) is not { } owner || owner == run.Id) return run;
        var replaced = Path.Combine(paths.OutDir, TrainingJob.ReplacedFolder);
        var moved = Directory.Exists(replaced)
            ? Directory.EnumerateFiles(replaced, Path.GetFileNameWithoutExtension(output) + "-*.safetensors").FirstOrDefault(f => ModelCheckpointOwner(f) == run.Id)
            : null;
        return run with { Output = moved };
    }

    /// <summary>The run a checkpoint's sidecar names, or null (no file, no sidecar, an unreadable one, or one from before runs were named).</summary>
    static string? ModelCheckpointOwner(string weights) => File.Exists(weights) ? RunRegistry.SafeReadInfo(weights)?.RunId : null;

    /// <summary>
    /// Forgets a failed or cancelled run: its registry row, its log and its run folder (under out/runs, named by its id:
    /// the studio made it; its resume state goes with it). A checkpoint it wrote stays (the Checkpoints page deletes
    /// those). Throws InvalidOperationException for a run that is active or completed, or unknown.
    /// </summary>
    public async Task RemoveAsync(string id)
    {
        var run = Find(id) ?? throw new InvalidOperationException($"There is no run {id}.");
        if (run.Status is not (RunStatus.Failed or RunStatus.Cancelled) || manager.Find(id) is { IsFinished: false })
            throw new InvalidOperationException($"Run {id} is {run.Status.ToString().ToLowerInvariant()}: only failed or cancelled runs can be removed.");
        // the run's follower writes its end (output, registry row) just after the status says it ended: let it finish first,
        // or it would write the removed run back
        if (watchers.TryRemove(id, out var watcher))
        {
            try { await watcher.WaitAsync(TimeSpan.FromSeconds(30)); }
            catch (TimeoutException) { throw new InvalidOperationException($"Run {id} is still being wound up; remove it in a moment."); }
        }
        registry.Delete(id);
        live.TryRemove(id, out _);
        logs.TryRemove(id, out _);
        var folder = Path.GetFullPath(run.Directory);
        var runs = Path.Combine(paths.OutDir, "runs") + Path.DirectorySeparatorChar;
        if (folder.StartsWith(runs, StringComparison.Ordinal) && Path.GetFileName(folder) == id && Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        else if (Directory.Exists(folder))
            logger.LogWarning("Run {Run} was removed from the list; its folder {Folder} is not one the studio made under out/runs, so it was left.", id, folder);
    }

    /// <summary>A run's steps so far (from its metrics.jsonl).</summary>
    public IReadOnlyList<StepMetrics> Metrics(string id) =>
        Find(id) is { } run && Directory.Exists(run.Directory) ? new RunDirectory(run.Directory).ReadMetrics() : [];

    /// <summary>Lifecycle messages of a live run (data preparation, failures, output), oldest first.</summary>
    public IReadOnlyList<string> Log(string id) => LogWithSteps(id).Lines;

    /// <summary>
    /// <see cref="Log"/>, and for each line the last step the run had reported when it was written (-1 for lines of an
    /// earlier attempt or process), so a view opened later can put the lines among the steps in the order they happened.
    /// </summary>
    public (IReadOnlyList<string> Lines, IReadOnlyList<long> Steps) LogWithSteps(string id)
    {
        if (!logs.TryGetValue(id, out var log)) return Find(id)?.Message is { } m ? ([m], [-1]) : ([], []);
        lock (log) return (log.Select(l => l.Line).ToList(), log.Select(l => l.Step).ToList());
    }

    /// <summary>Paths made absolute, outputs forced under the studio's out/ folder, then validated (throws ArgumentException).</summary>
    public TrainingOptions Prepare(TrainingOptions options) => ((options with { OutDir = paths.OutDir }).WithPaths(paths.Resolve) with
    {
        OutputName = string.IsNullOrWhiteSpace(options.OutputName) ? null : options.OutputName.Trim(),
    }).Validate();

    /// <summary>Queues a run; returns at once with its record. Throws ArgumentException for invalid options or missing files.</summary>
    public RunRecord Start(TrainingOptions options)
    {
        var resolved = Prepare(options);
        if (!File.Exists(resolved.DataPath)) throw new ArgumentException($"Dataset not found: {paths.Display(resolved.DataPath)}.");
        if (!File.Exists(Path.Combine(resolved.TokenizerPath, "tokenizer.json")) && !File.Exists(resolved.TokenizerPath))
            throw new ArgumentException($"No tokenizer.json in {paths.Display(resolved.TokenizerPath)}.");
        if (resolved.InitFrom is { } init && !resolved.FromScratch && !File.Exists(init)) throw new ArgumentException($"Starting checkpoint not found: {paths.Display(init)}.");
        return Follow(manager.Submit(resolved));
    }

    /// <summary>Continues a cancelled, failed or interrupted run from its last resume state.</summary>
    public RunRecord Resume(string id)
    {
        var record = Find(id) ?? throw new ArgumentException($"No run {id}.");
        if (record.IsActive) throw new InvalidOperationException($"Run {id} is still {record.Status.ToString().ToLowerInvariant()}.");
        var directory = new RunDirectory(record.Directory);
        var options = directory.ReadOptions();
        // a run that stopped before its first save has nothing to continue from: it starts again as a new run, and the
        // first attempt keeps its folder and history
        if (ResumeState.Read(directory.ResumePath) is null) return Start(options);
        return Follow(manager.Submit(options, record.Directory), record.CreatedUtc);
    }

    /// <summary>
    /// What <see cref="Resume"/> would do for a finished run, as a button label: continue from its last resume state,
    /// or start a new run from its recorded options (it stopped or failed before its first save); null when it cannot
    /// (still active, or it never got as far as recording its options).
    /// </summary>
    public string? Continuation(string id)
    {
        if (Find(id) is not { IsActive: false } record) return null;
        var directory = new RunDirectory(record.Directory);
        if (!File.Exists(directory.ConfigPath)) return null;
        try
        {
            return ResumeState.Read(directory.ResumePath) is null ? "Start again" : "Continue from last save";
        }
        catch (Exception)
        {
            return "Continue from last save"; // drawn while a page renders: never throws; the resume says what is wrong with the state
        }
    }

    public void Pause(string id) => manager.Find(id)?.PauseRun();
    public void Continue(string id) => manager.Find(id)?.ResumeRun();
    public void Stop(string id) => manager.Find(id)?.Cancel();

    /// <summary>The end of a run this process started (null for one it does not hold).</summary>
    public Task<TrainingResult>? CompletionOf(string id) => manager.Find(id)?.Completion;

    RunRecord Follow(TrainingRun run, DateTimeOffset? created = null)
    {
        var record = new RunRecord
        {
            Id = run.Id, Stage = run.Options.Stage, Status = run.Status, OptionsJson = run.Options.ToJson(),
            Directory = run.Directory.Path, CreatedUtc = created ?? DateTimeOffset.UtcNow,
            TotalSteps = run.Latest?.TotalSteps ?? 0,
        };
        // a continued run keeps its log (the first attempt's lines, or the message a previous process left) and adds to it
        var previous = Log(run.Id);
        live[run.Id] = record;
        logs.TryAdd(run.Id, previous.Select(line => (-1L, line)).ToList());
        registry.Save(record);
        notifications.PublishRun(record);
        watchers[run.Id] = Task.Run(() => Watch(run));
        return record;
    }

    async Task Watch(TrainingRun run)
    {
        var lastSaved = DateTimeOffset.MinValue;
        var lastStatus = (RunStatus?)null;
        try
        {
            await foreach (var e in run.Subscribe())
            {
                var record = live[run.Id];
                if (e.Step is { } step)
                {
                    record = record with { Status = e.Status, Step = step.Step, TotalSteps = step.TotalSteps, Loss = step.Loss, UpdatedUtc = e.TimeUtc };
                    live[run.Id] = record;
                    notifications.QueueStep(step);
                    if (e.TimeUtc - lastSaved > RegistryInterval)
                    {
                        TrySave(record);
                        lastSaved = e.TimeUtc;
                    }
                    // a subscriber that came after the end gets one event with the last step and the end together: log the end too
                    if (!e.Status.IsFinished())
                    {
                        if (lastStatus != e.Status) { lastStatus = e.Status; notifications.PublishRun(record); }
                        continue;
                    }
                }
                if (e.Checkpoint is { } saved && record.Output != saved)
                {
                    // the checkpoint column names the output once it exists, not only once the run has ended
                    record = record with { Output = saved, UpdatedUtc = e.TimeUtc };
                    live[run.Id] = record;
                    TrySave(record);
                    notifications.PublishRun(record);
                }
                if (e.Status == lastStatus && e.Message is null) continue;
                lastStatus = e.Status;
                record = record with { Status = e.Status, Message = e.Message ?? record.Message, UpdatedUtc = e.TimeUtc };
                if (e.Message is not null) AppendLog(run.Id, record.Step, $"{e.TimeUtc.ToLocalTime():HH:mm:ss} {e.Status.ToString().ToLowerInvariant()}: {e.Message}");
                else AppendLog(run.Id, record.Step, $"{e.TimeUtc.ToLocalTime():HH:mm:ss} {e.Status.ToString().ToLowerInvariant()}");
                live[run.Id] = record;
                TrySave(record);
                notifications.PublishRun(record);
            }
            var result = await run.Completion;
            var final = live[run.Id] with { Output = string.IsNullOrEmpty(result.OutputPath) ? live[run.Id].Output : result.OutputPath };
            live[run.Id] = final;
            TrySave(final);
            if (final.Output != null) notifications.PublishRun(final);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Following run {Run} failed.", run.Id);
        }
    }

    /// <summary>
    /// Writes a run's record, logging a failure (a busy or full disk) instead of ending the following of the run:
    /// the live record still serves the pages, and the next write tries again.
    /// </summary>
    void TrySave(RunRecord record)
    {
        try
        {
            registry.Save(record);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not record run {Run} in the run registry.", record.Id);
        }
    }

    void AppendLog(string id, long step, string line)
    {
        var log = logs.GetOrAdd(id, _ => []);
        lock (log) log.Add((step, line));
    }
}
