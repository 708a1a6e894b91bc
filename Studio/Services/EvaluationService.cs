using System.Diagnostics;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data.Demo;
using MiniMind.Engine.Evaluation;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Studio.Services;

/// <summary>
/// Evaluates checkpoints on benchmarks, one evaluation at a time, on a background thread: each checkpoint is loaded
/// once and run on every benchmark; each result is saved under out/evals/ as the <c>eval</c> command saves it, and a
/// failure (a bad file, a missing tokenizer) becomes that pair's message while the others go on.
/// </summary>
public sealed class EvaluationService(StudioPaths paths, StudioOptions options, RuntimeInfo runtime, TokenizerCache tokenizers)
{
    static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(100);
    readonly Lock gate = new();
    CancellationTokenSource? cancel;

    public bool Running { get; private set; }
    /// <summary>Checkpoint x benchmark pairs of the current (or last) evaluation, and how many of them are finished.</summary>
    public int Jobs { get; private set; }
    public int JobsDone { get; private set; }
    /// <summary>What is being measured now, e.g. "pretrain_128 · demo".</summary>
    public string Current { get; private set; } = "";
    /// <summary>Questions or documents of the current pair: done and total.</summary>
    public (int Done, int Total) Step { get; private set; }
    public IReadOnlyList<EvaluationOutcome> Outcomes { get; private set; } = [];
    /// <summary>Why the whole evaluation stopped early ("Cancelled.", or an unexpected error).</summary>
    public string? Error { get; private set; }

    /// <summary>Overall progress in [0, 1].</summary>
    public double Fraction => Jobs == 0 ? 0 : Math.Min(1, (JobsDone + (Step.Total > 0 ? (double)Step.Done / Step.Total : 0)) / Jobs);

    /// <summary>Raised (on a background thread) on progress, each finished pair and at the end.</summary>
    public event Action? Changed;

    public string EvalsFolder => Path.Combine(paths.OutDir, "evals");

    /// <summary>The largest multiple-choice file that can be uploaded.</summary>
    public long UploadLimitBytes => (long)options.MaxUploadMegabytes * 1024 * 1024;

    /// <summary>Where uploaded multiple-choice files are kept.</summary>
    public string BenchmarksFolder => Path.Combine(paths.OutDir, "benchmarks");

    /// <summary>Every saved evaluation under out/evals, newest first.</summary>
    public IReadOnlyList<EvaluationRecord> History() => EvaluationRecord.List(paths.OutDir);

    /// <summary>What is wrong with a request, in words for the page (empty: it can run).</summary>
    public IReadOnlyList<string> Validate(EvaluationRequest request)
    {
        try
        {
            return Problems(request);
        }
        catch (ArgumentException e) // a path that cannot be one (a control character typed into a field)
        {
            return [e.Message];
        }
    }

    List<string> Problems(EvaluationRequest request)
    {
        var problems = new List<string>();
        if (request.Checkpoints.Count == 0) problems.Add("Choose at least one checkpoint.");
        if (request.Benchmarks.Count == 0) problems.Add("Choose at least one benchmark.");
        foreach (var checkpoint in request.Checkpoints.Where(c => !File.Exists(paths.Resolve(c))))
            problems.Add($"Checkpoint {paths.Display(paths.Resolve(checkpoint))} no longer exists.");
        foreach (var benchmark in request.Benchmarks)
        {
            if (string.IsNullOrWhiteSpace(benchmark.Path)) { problems.Add($"The {Describe(benchmark.Kind)} needs a file."); continue; }
            var file = paths.Resolve(benchmark.Path);
            if (!File.Exists(file)) problems.Add($"{Describe(benchmark.Kind)}: {paths.Display(file)} does not exist.");
            else if (benchmark.Kind == EvaluationBenchmarkKind.MultipleChoice && Path.GetExtension(file).ToLowerInvariant() is not (".csv" or ".jsonl" or ".json"))
                problems.Add($"{paths.Display(file)}: a multiple-choice benchmark is a C-Eval/CMMLU .csv or a .jsonl with choices.");
            if (benchmark.Shots < 0) problems.Add($"Few-shot k must be 0 or more (got {benchmark.Shots}).");
        }
        if (request.Limit is < 1) problems.Add($"The limit must be at least 1 (got {request.Limit}); leave it empty to use every question.");
        if (!string.IsNullOrWhiteSpace(request.Tokenizer) && !HasTokenizer(paths.Resolve(request.Tokenizer)))
            problems.Add($"No tokenizer.json in {paths.Display(paths.Resolve(request.Tokenizer))}.");
        return problems;
    }

    /// <summary>Starts the evaluation in the background; throws <see cref="ArgumentException"/> with the problems of an invalid request.</summary>
    public void Start(EvaluationRequest request)
    {
        var problems = Validate(request);
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems));
        lock (gate)
        {
            if (Running) throw new InvalidOperationException("An evaluation is already running: wait for it or cancel it.");
            Running = true;
            cancel = new CancellationTokenSource();
        }
        (Jobs, JobsDone, Current, Step, Outcomes, Error) = (request.Checkpoints.Count * request.Benchmarks.Count, 0, "starting", (0, 0), [], null);
        var token = cancel.Token;
        _ = Task.Factory.StartNew(() =>
        {
            try { Run(request, token); }
            catch (OperationCanceledException) { Error = "Cancelled."; }
            catch (Exception e) { Error = e.Message; }
            finally
            {
                Current = "";
                Running = false;
                Changed?.Invoke();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public void Cancel() => cancel?.Cancel();

    void Run(EvaluationRequest request, CancellationToken token)
    {
        foreach (var checkpoint in request.Checkpoints.Select(paths.Resolve))
        {
            token.ThrowIfCancellationRequested();
            MiniMindModel? model = null;
            ByteLevelBpeTokenizer tokenizer;
            Current = $"{Path.GetFileNameWithoutExtension(checkpoint)} · loading";
            Changed?.Invoke();
            try
            {
                tokenizer = TokenizerFor(checkpoint, request.Tokenizer);
                model = EvaluatedModel.Load(checkpoint, runtime.Device);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                model?.Dispose();
                foreach (var benchmark in request.Benchmarks) Finish(new EvaluationOutcome(checkpoint, benchmark, null, null, e.Message));
                continue;
            }
            using (model)
            {
                foreach (var benchmark in request.Benchmarks)
                {
                    token.ThrowIfCancellationRequested();
                    Current = $"{Path.GetFileNameWithoutExtension(checkpoint)} · {benchmark.Name}";
                    Step = (0, 0);
                    Changed?.Invoke();
                    try
                    {
                        var record = BenchmarkRunner.Run(model, tokenizer, checkpoint, benchmark with { Path = paths.Resolve(benchmark.Path) }, request.Limit, Throttled(), token);
                        var saved = record.Save(paths.OutDir);
                        Finish(new EvaluationOutcome(checkpoint, benchmark, record with { Details = null }, saved, null));
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Finish(new EvaluationOutcome(checkpoint, benchmark, null, null, e.Message));
                    }
                }
            }
        }
    }

    void Finish(EvaluationOutcome outcome)
    {
        Outcomes = [.. Outcomes, outcome];
        JobsDone++;
        Step = (0, 0);
        Changed?.Invoke();
    }

    ByteLevelBpeTokenizer TokenizerFor(string checkpoint, string? chosen)
    {
        if (!string.IsNullOrWhiteSpace(chosen)) return tokenizers.Get(chosen);
        var folder = ModelCheckpoint.TokenizerPathOf(checkpoint, paths.ContentRoot)
                     ?? throw new ArgumentException($"{Path.GetFileName(checkpoint)} names no tokenizer: choose one in the tokenizer field.");
        if (!HasTokenizer(folder))
            throw new FileNotFoundException($"{Path.GetFileName(checkpoint)} was trained with the tokenizer {paths.Display(folder)}, which is missing: choose one in the tokenizer field.");
        return tokenizers.Get(folder);
    }

    static bool HasTokenizer(string path) => File.Exists(Path.Combine(path, "tokenizer.json")) || (File.Exists(path) && path.EndsWith(".json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Step progress for the page, at most every 100 ms (a perplexity run reports per document).</summary>
    SynchronousProgress<(int Done, int Total)> Throttled()
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? last = null;
        return new SynchronousProgress<(int Done, int Total)>(p =>
        {
            Step = p;
            if (p.Done < p.Total && last is { } before && clock.Elapsed - before < ReportInterval) return;
            last = clock.Elapsed;
            Changed?.Invoke();
        });
    }

    /// <summary>Multiple-choice files found under the dataset folders and out/benchmarks: .csv, and .jsonl whose first record has choices.</summary>
    public IReadOnlyList<string> MultipleChoiceFiles()
    {
        var found = new List<string>();
        foreach (var folder in paths.DatasetFolders.Append(BenchmarksFolder).Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3 }).Order(StringComparer.Ordinal))
            {
                if (Path.GetFileName(file).StartsWith('.')) continue;
                var extension = Path.GetExtension(file).ToLowerInvariant();
                if (extension is ".csv" or ".jsonl" && EvaluationBenchmark.KindOfFile(file) == EvaluationBenchmarkKind.MultipleChoice) found.Add(file);
            }
        }
        return found;
    }

    /// <summary>Reads a multiple-choice file and says how many questions it has; throws with the file, line and problem when it is unusable.</summary>
    public int CheckMultipleChoice(string path)
    {
        var items = BenchmarkLoader.Load(paths.Resolve(path));
        if (items.Count == 0) throw new InvalidDataException($"{paths.Display(paths.Resolve(path))}: no questions.");
        return items.Count;
    }

    /// <summary>
    /// Stores an uploaded multiple-choice file under out/benchmarks (never overwriting one), after checking it reads as a benchmark
    /// (the partial file is removed otherwise). Returns the stored path.
    /// </summary>
    public async Task<string> UploadMultipleChoiceAsync(string fileName, Stream content, CancellationToken cancellationToken = default)
    {
        var name = Path.GetFileName(fileName);
        if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.StartsWith('.'))
            throw new ArgumentException($"\"{fileName}\" is not a usable file name.");
        var extension = Path.GetExtension(name).ToLowerInvariant();
        if (extension is not (".csv" or ".jsonl")) throw new ArgumentException("Only C-Eval/CMMLU .csv files and .jsonl files with choices can be uploaded.");
        Directory.CreateDirectory(BenchmarksFolder);
        var target = Path.Combine(BenchmarksFolder, name);
        if (File.Exists(target)) throw new IOException($"{paths.Display(target)} already exists: rename the file or use the one there.");
        // the temporary name keeps the subject C-Eval/CMMLU take from the file name
        var temporary = Path.Combine(BenchmarksFolder, $".upload-{Guid.NewGuid():N}", name);
        Directory.CreateDirectory(Path.GetDirectoryName(temporary)!);
        try
        {
            await Uploads.CopyLimitedAsync(content, temporary, name, options.MaxUploadMegabytes, cancellationToken);
            try { BenchmarkLoader.Load(temporary); }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                throw new ArgumentException($"{name} is not a usable benchmark: {e.Message.Replace(temporary, name)}");
            }
            File.Move(temporary, target, overwrite: false);
            return target;
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(temporary)!, recursive: true);
        }
    }

    static string Describe(EvaluationBenchmarkKind kind) => kind switch
    {
        EvaluationBenchmarkKind.Quiz => "quiz",
        EvaluationBenchmarkKind.Perplexity => "perplexity text",
        EvaluationBenchmarkKind.ToolUse => "tool-use benchmark",
        _ => "multiple-choice benchmark",
    };
}
