using System.Collections.Concurrent;
using MiniMind.Engine.IO;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Data;

/// <summary>
/// Batches of training examples from a jsonl or Parquet file (the same batches from the same records in either): indexes and tokenizes it into the <c>.cache/</c> folder on first
/// use, then builds each batch from the cached ids. The order within an epoch is a permutation seeded with
/// seed + epoch, so batch b of epoch e is the same on every run, and a cursor resumes exactly where a run stopped.
/// A background thread builds the next batches while the caller trains.
/// </summary>
public sealed class DataLoader : IDisposable
{
    readonly DatasetFile file;
    readonly TokenCache cache;
    readonly IExampleSource source;
    readonly DataLoaderOptions options;
    readonly CancellationTokenSource disposed = new();
    readonly Lock orderLock = new();
    int orderEpoch = -1;
    int[]? order;
    LoaderCursor position;

    DataLoader(DatasetFile file, TokenCache cache, IExampleSource source, DataLoaderOptions options)
    {
        this.file = file;
        this.cache = cache;
        this.source = source;
        this.options = options;
        Length = options.MaxSeqLen - 1;
        BatchesPerEpoch = (source.Count + options.BatchSize - 1) / options.BatchSize;
        var start = options.ResumeFrom ?? new LoaderCursor(0, 0, options.Seed);
        position = start.BatchInEpoch >= BatchesPerEpoch ? new LoaderCursor(start.Epoch + 1, 0, start.Seed) : start;
    }

    /// <summary>
    /// Opens <paramref name="path"/> as <paramref name="kind"/> (indexing and tokenizing to the cache as needed).
    /// <paramref name="packed"/> applies to pretraining only. A <paramref name="resumeFrom"/> cursor wins over <paramref name="seed"/>.
    /// </summary>
    public static DataLoader Open(string path, DatasetKind kind, ByteLevelBpeTokenizer tokenizer, int maxSeqLen, int batchSize,
        long seed, bool packed = false, LoaderCursor? resumeFrom = null, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default) =>
        Open(path, tokenizer, new DataLoaderOptions
        {
            Kind = kind,
            MaxSeqLen = maxSeqLen,
            BatchSize = batchSize,
            Seed = seed,
            Packed = packed,
            ResumeFrom = resumeFrom,
        }, progress, cancellationToken);

    public static DataLoader Open(string path, ByteLevelBpeTokenizer tokenizer, DataLoaderOptions options,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.MaxSeqLen < DataLoaderOptions.MinSeqLen)
            throw new ArgumentException($"max_seq_len must be at least {DataLoaderOptions.MinSeqLen} (bos, a token, eos), not {options.MaxSeqLen}", nameof(options));
        if (options.BatchSize < 1) throw new ArgumentException($"batch size must be at least 1, not {options.BatchSize}", nameof(options));
        if (options.Packed && options.Kind != DatasetKind.Pretrain) throw new ArgumentException("packing applies to pretraining data only", nameof(options));
        if (options.Kind == DatasetKind.Prompts) throw new ArgumentException("a prompt file is GRPO's data (prompts with answers, no text to learn): train the grpo stage with it", nameof(options));
        var name = Path.GetFileName(path);
        var file = DatasetFile.Open(path, Percent(progress, $"indexing {name}"), cancellationToken);
        TokenCache? cache = null;
        try
        {
            cache = TokenCache.Open(file, options.Kind, tokenizer, Percent(progress, $"tokenizing {name}"), cancellationToken, options.Processing);
            var skipped = cache.Info.Skipped;
            if (skipped.Bad > 0) progress?.Report($"{name}: skipped {skipped.Bad} bad record(s) of {skipped.Lines} {file.RecordNoun}s; first: {skipped.FirstProblems[0]}");
            if (skipped.Bad > options.MaxBadRecords)
            {
                throw new InvalidDataException($"{path}: {skipped.Bad} bad records, more than the {options.MaxBadRecords} allowed; first: {skipped.FirstProblems[0]}");
            }
            var padId = tokenizer.PadId ?? tokenizer.EosId ?? throw new InvalidDataException("the tokenizer has neither a pad nor an eos token to pad with");
            var markers = new ConversationEncoder(tokenizer).Markers;
            IExampleSource SourceOf(int length) => options.Kind switch
            {
                DatasetKind.Pretrain when options.Packed => new PackedPretrainSource(cache, length, padId),
                DatasetKind.Pretrain => new PaddedPretrainSource(cache, length, padId),
                DatasetKind.Dpo => new PreferenceSource(cache, markers, length, padId),
                _ => new ConversationSource(cache, markers, length, padId),
            };
            var source = SourceOf(options.MaxSeqLen);
            if (source.Count == 0) throw new InvalidDataException($"{path}: no usable {options.Kind} records ({skipped.Bad} bad, {skipped.Blank} blank {file.RecordNoun}s)");
            RequireTrainedTokens(path, source, SourceOf, cache, options);
            return new DataLoader(file, cache, source, options);
        }
        catch
        {
            cache?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fails before the first step when not one example has a trained target within max_seq_len (a run that would train on
    /// nothing and still report "completed"): says how many records are cut before their first answer token, with the
    /// max_seq_len the shortest of them needs, and how many have no answer to train on at all. The scan stops at the first
    /// example that trains, so a usable file costs one example.
    /// </summary>
    static void RequireTrainedTokens(string path, IExampleSource source, Func<int, IExampleSource> sourceOf, TokenCache cache, DataLoaderOptions options)
    {
        var ids = new int[options.MaxSeqLen];
        var labels = new int[options.MaxSeqLen];
        for (long e = 0; e < source.Count; e++)
            if (FirstTrained(source, e, ids, labels) is not null) return;
        // none trains: read each one whole to tell the ones cut too early from the ones with nothing to train
        int longest = 2;
        for (long entry = 0; entry < cache.Count; entry++) longest = Math.Max(longest, cache.LengthOf(entry));
        var whole = sourceOf(longest);
        ids = new int[longest];
        labels = new int[longest];
        long masked = 0;
        int? shortestNeed = null;
        for (long e = 0; e < whole.Count; e++)
        {
            if (FirstTrained(whole, e, ids, labels) is int first) shortestNeed = Math.Min(shortestNeed ?? int.MaxValue, first + 1);
            else masked++;
        }
        var noun = options.Kind == DatasetKind.Dpo ? "pair" : "record";
        var parts = new List<string>();
        if (shortestNeed is int need)
            parts.Add($"{whole.Count - masked} {noun}(s) are cut before their first answer token (the shortest needs max_seq_len {need})");
        if (masked > 0) parts.Add($"{masked} {noun}(s) have no answer token to train on (every token masked)");
        throw new InvalidDataException($"{path}: no {noun} has a trained token within max_seq_len {options.MaxSeqLen}, so training would learn nothing: {string.Join("; ", parts)}.");
    }

    /// <summary>
    /// The label position of example <paramref name="example"/>'s first trained target, the latest over its rows (a DPO pair
    /// needs both sides), or null when a row has none. Position t is trained when the batch's mask takes it (t ≥ 1).
    /// </summary>
    static int? FirstTrained(IExampleSource source, long example, int[] ids, int[] labels)
    {
        int latest = 0;
        for (var r = 0; r < source.RowsPerExample; r++)
        {
            source.Fill(example, r, ids, labels);
            var at = Array.FindIndex(labels, 1, l => l != SftLabels.Ignore);
            if (at < 0) return null;
            latest = Math.Max(latest, at);
        }
        return latest;
    }

    /// <summary>Examples in one epoch (documents, packed rows, conversations or pairs).</summary>
    public long Examples => source.Count;

    public long BatchesPerEpoch { get; }

    /// <summary>Inputs (and targets) per row: max_seq_len - 1.</summary>
    public int Length { get; }

    /// <summary>What reading the file kept and skipped (bad records counted, with the first few named).</summary>
    public DataStats Skipped => cache.Info.Skipped;

    /// <summary>Whether the tokenized cache was reused rather than built by this open.</summary>
    public bool FromCache => cache.FromCache;

    /// <summary>Where the next batch of <see cref="Batches"/> comes from.</summary>
    public LoaderCursor Position => position;

    /// <summary>
    /// Batches forever across epochs from <see cref="Position"/>, each with the cursor after it. The last batch of an
    /// epoch may have fewer rows (no example is dropped).
    /// </summary>
    public IEnumerable<(TokenBatch Batch, LoaderCursor Next)> Batches(CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposed.Token);
        using var queue = new BlockingCollection<(TokenBatch? Batch, LoaderCursor Next, Exception? Error)>(Math.Max(1, options.Prefetch));
        var from = position;
        var producer = Task.Run(() =>
        {
            var cursor = from;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var batch = Batch(cursor.Epoch, cursor.BatchInEpoch, cursor.Seed);
                    cursor = After(cursor);
                    queue.Add((batch, cursor, null), stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                queue.Add((null, cursor, e));
            }
        });
        try
        {
            while (true)
            {
                var (batch, next, error) = queue.Take(stop.Token);
                if (error is not null) throw new InvalidOperationException($"{file.Path}: building batch at {next}: {error.Message}", error);
                position = next;
                yield return (batch!, next);
            }
        }
        finally
        {
            stop.Cancel();
            try
            {
                producer.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
            }
        }
    }

    LoaderCursor After(LoaderCursor cursor) =>
        cursor.BatchInEpoch + 1 >= BatchesPerEpoch ? new LoaderCursor(cursor.Epoch + 1, 0, cursor.Seed) : cursor with { BatchInEpoch = cursor.BatchInEpoch + 1 };

    /// <summary>Batch <paramref name="batchInEpoch"/> of <paramref name="epoch"/>: random access, the same every time.</summary>
    public TokenBatch Batch(int epoch, long batchInEpoch, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if ((ulong)batchInEpoch >= (ulong)BatchesPerEpoch) throw new ArgumentOutOfRangeException(nameof(batchInEpoch), $"batch {batchInEpoch} of {BatchesPerEpoch}");
        var first = batchInEpoch * options.BatchSize;
        var examples = (int)Math.Min(options.BatchSize, source.Count - first);
        var rows = examples * source.RowsPerExample;
        var inputs = new long[rows * Length];
        var targets = new long[rows * Length];
        var mask = new float[rows * Length];
        var ids = new int[options.MaxSeqLen];
        var labels = new int[options.MaxSeqLen];
        var perm = Order(epoch, seed);
        for (var e = 0; e < examples; e++)
        {
            long example = perm is null ? first + e : perm[first + e];
            for (var r = 0; r < source.RowsPerExample; r++)
            {
                source.Fill(example, r, ids, labels);
                // DPO: all chosen rows first, then all rejected rows (the layout the loss expects).
                var at = (r * examples + e) * Length;
                for (var t = 0; t < Length; t++)
                {
                    inputs[at + t] = ids[t];
                    targets[at + t] = ids[t + 1];
                    mask[at + t] = labels[t + 1] == SftLabels.Ignore ? 0f : 1f;
                }
            }
        }
        return options.TrimPadding ? Trimmed(inputs, targets, mask, rows) : new TokenBatch(inputs, targets, mask, rows, Length);
    }

    /// <summary>The batch without the trailing columns in which no row has a target (at least one column is kept).</summary>
    TokenBatch Trimmed(long[] inputs, long[] targets, float[] mask, int rows)
    {
        int used = 1;
        for (var r = 0; r < rows; r++)
            for (var t = Length - 1; t >= used; t--)
                if (mask[r * Length + t] > 0) { used = t + 1; break; }
        if (used == Length) return new TokenBatch(inputs, targets, mask, rows, Length);
        var trimmedInputs = new long[rows * used];
        var trimmedTargets = new long[rows * used];
        var trimmedMask = new float[rows * used];
        for (var r = 0; r < rows; r++)
        {
            Array.Copy(inputs, r * Length, trimmedInputs, r * used, used);
            Array.Copy(targets, r * Length, trimmedTargets, r * used, used);
            Array.Copy(mask, r * Length, trimmedMask, r * used, used);
        }
        return new TokenBatch(trimmedInputs, trimmedTargets, trimmedMask, rows, used);
    }

    int[]? Order(int epoch, long seed)
    {
        if (!options.Shuffle) return null;
        lock (orderLock)
        {
            if (orderEpoch != epoch || order is null)
            {
                order = SeededShuffle.Permutation(source.Count, seed + epoch, epoch);
                orderEpoch = epoch;
            }
            return order;
        }
    }

    static IProgress<double>? Percent(IProgress<string>? progress, string what)
    {
        if (progress is null) return null;
        var last = -1;
        return new SynchronousProgress<double>(fraction =>
        {
            var percent = (int)(fraction * 100);
            if (percent / 10 == last / 10 && percent != 100) return;
            last = percent;
            progress.Report($"{what}: {percent}%");
        });
    }

    public void Dispose()
    {
        disposed.Cancel();
        cache.Dispose();
        file.Dispose();
        disposed.Dispose();
    }
}
