using MiniMind.Engine.IO;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Studio.Services;

/// <summary>One tokenizer training at a time, in the background, with its progress and outcome for the page.</summary>
public sealed class TokenizerTraining(StudioPaths paths, TokenizerCache tokenizers)
{
    readonly Lock gate = new();
    CancellationTokenSource? cancel;

    public bool Running { get; private set; }
    public string Stage { get; private set; } = "";
    public double Fraction { get; private set; }
    public string? Outcome { get; private set; }
    public string? Error { get; private set; }
    public string? OutputFolder { get; private set; }

    /// <summary>Raised (on a background thread) on progress and at the end.</summary>
    public event Action? Changed;

    /// <summary>Starts training on the given jsonl files; the result goes to out/tokenizers/NAME.</summary>
    public void Start(IReadOnlyList<string> dataFiles, int vocabSize, string name)
    {
        if (dataFiles.Count == 0) throw new ArgumentException("Choose at least one dataset.");
        if (string.IsNullOrWhiteSpace(name) || !name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-'))
            throw new ArgumentException("The tokenizer name must be letters, digits, _ or -.");
        if (vocabSize < 300) throw new ArgumentException("The vocabulary needs at least 300 tokens (the 256 bytes and the special tokens come first).");
        var output = Path.Combine(paths.OutDir, "tokenizers", name);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new ArgumentException($"{paths.Display(output)} already exists: choose another name.");
        lock (gate)
        {
            if (Running) throw new InvalidOperationException("A tokenizer is already training.");
            Running = true;
            cancel = new CancellationTokenSource();
        }
        (Stage, Fraction, Outcome, Error, OutputFolder) = ("starting", 0, null, null, output);
        var token = cancel.Token;
        var files = dataFiles.Select(paths.Resolve).ToList();
        _ = Task.Factory.StartNew(() =>
        {
            try
            {
                var result = new BpeTrainer(new BpeTrainerOptions { VocabSize = vocabSize }).Train(files, output,
                    new SynchronousProgress<BpeTrainingProgress>(p =>
                    {
                        Stage = p.Stage == BpeTrainingStage.CountingWords ? "counting words" : "merging";
                        Fraction = p.Total > 0 ? (double)p.Done / p.Total : 0;
                        Changed?.Invoke();
                    }), token);
                Outcome = $"Vocabulary of {result.VocabSize} tokens ({result.MergeCount} merges, {result.UniqueWords} distinct words) in {paths.Display(output)}.";
                Fraction = 1;
                tokenizers.Get(output);
            }
            catch (OperationCanceledException) { Error = "Cancelled."; }
            catch (Exception e) { Error = e.Message; }
            finally
            {
                Running = false;
                Changed?.Invoke();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public void Cancel() => cancel?.Cancel();
}
