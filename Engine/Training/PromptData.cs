using MiniMind.Engine.Chat;
using MiniMind.Engine.Data;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Training;

/// <summary>
/// The data of a reinforcement-learning stage: prompts rendered as a chat would render them (the tokenizer's template with
/// the generation prompt), shuffled per epoch by <see cref="SeededShuffle"/> and delivered batch by batch with the cursor
/// after each, like the loader. With <c>passes</c> &gt; 1 (grpo_epochs) every group of <c>accumulation</c> batches is
/// delivered once per pass, with the same <see cref="PromptBatch.Items"/> list each time, so the objective can reuse what
/// it sampled for them; the cursor counts deliveries, so a resumed run continues at the pass where it stopped.
/// </summary>
public sealed class PromptData : ITrainingData
{
    readonly PromptExample[] examples;
    readonly int batchSize, passes, accumulation;
    readonly long seed;
    readonly LoaderCursor? resumeFrom;
    readonly long batches;

    public PromptData(IReadOnlyList<PromptExample> examples, int batchSize, long seed, int passes = 1, int accumulation = 1, LoaderCursor? resumeFrom = null)
    {
        if (examples.Count == 0) throw new ArgumentException("No prompts to train on.");
        if (batchSize <= 0 || passes <= 0 || accumulation <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), "batch size, passes and accumulation must be positive");
        this.examples = [.. examples];
        (this.batchSize, this.seed, this.passes, this.accumulation, this.resumeFrom) = (batchSize, seed, passes, accumulation, resumeFrom);
        batches = (examples.Count + batchSize - 1) / batchSize;
    }

    /// <summary>Prompts that did not fit max_seq_len and were left out (by file line).</summary>
    public IReadOnlyList<int> SkippedLines { get; private init; } = [];

    public int Count => examples.Length;

    /// <summary>Prompts with neither a reference answer nor facts (RLAIF data): only the rewards that need no reference score them.</summary>
    public int Unreferenced => examples.Count(e => e.Answer.Length == 0 && e.Facts.Count == 0);

    /// <summary>Deliveries per epoch: every batch once per pass.</summary>
    public long BatchesPerEpoch => batches * passes;

    /// <summary>
    /// Reads <paramref name="path"/> and renders every prompt (<see cref="ChatPromptBuilder"/>: a long conversation loses its
    /// oldest turns first); a prompt whose last message alone is longer than <paramref name="maxPromptTokens"/> is left out and named in <see cref="SkippedLines"/>, or refused with its line when <paramref name="failOnLong"/>.
    /// </summary>
    public static PromptData Open(string path, ByteLevelBpeTokenizer tokenizer, int maxPromptTokens, int batchSize, long seed,
        int passes, int accumulation, LoaderCursor? resumeFrom, bool failOnLong, ChatProcessing? processing = null)
    {
        var builder = new ChatPromptBuilder(tokenizer);
        var examples = new List<PromptExample>();
        var skipped = new List<int>();
        foreach (var record in PromptRecord.Read(path))
        {
            ChatPrompt prompt;
            try
            {
                // as the original's RLAIFDataset: a system prompt may be mixed in (its empty-think dropping is for trained text only)
                prompt = builder.Build(processing?.Prepare(record.Messages, record.Line) ?? record.Messages, maxPromptTokens);
            }
            catch (ChatRequestException e)
            {
                if (failOnLong) throw new InvalidDataException($"{path}:{record.Line}: {e.Message} (max_seq_len)", e);
                skipped.Add(record.Line);
                continue;
            }
            examples.Add(new PromptExample(prompt.Ids, record.Question, record.Answer) { Facts = record.Facts });
        }
        if (examples.Count == 0)
            throw new InvalidDataException($"{path}: every prompt is longer than max_seq_len ({maxPromptTokens} tokens).");
        return new PromptData(examples, batchSize, seed, passes, accumulation, resumeFrom) { SkippedLines = skipped };
    }

    public IEnumerable<(TokenBatch Batch, LoaderCursor Next)> Batches(CancellationToken cancellationToken = default)
    {
        var epoch = resumeFrom?.Epoch ?? 0;
        var at = resumeFrom?.BatchInEpoch ?? 0;
        while (true)
        {
            var order = SeededShuffle.Permutation(examples.Length, seed, epoch);
            var deliveries = Deliveries();
            var built = new Dictionary<long, TokenBatch>();
            for (; at < deliveries.Count; at++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (batch, pass) = deliveries[(int)at];
                if (pass == 0 || !built.ContainsKey(batch)) built[batch] = Build(order, batch, pass);
                var delivered = built[batch] with { Prompts = built[batch].Prompts! with { Pass = pass } };
                if (delivered.Prompts!.MoreToCome) built[batch] = delivered; else built.Remove(batch);
                var next = at + 1 < deliveries.Count ? new LoaderCursor(epoch, at + 1, seed) : new LoaderCursor(epoch + 1, 0, seed);
                yield return (delivered, next);
            }
            epoch++;
            at = 0;
        }
    }

    /// <summary>The epoch's deliveries in order: per group of accumulation batches, every pass over the group.</summary>
    List<(long Batch, int Pass)> Deliveries()
    {
        var list = new List<(long, int)>((int)BatchesPerEpoch);
        for (long group = 0; group < batches; group += accumulation)
            for (var pass = 0; pass < passes; pass++)
                for (var b = group; b < Math.Min(group + accumulation, batches); b++) list.Add((b, pass));
        return list;
    }

    TokenBatch Build(int[] order, long batch, int pass)
    {
        var from = (int)(batch * batchSize);
        var items = order.AsSpan(from, Math.Min(batchSize, order.Length - from)).ToArray().Select(i => examples[i]).ToArray();
        var length = items.Max(p => p.Ids.Count);
        var ids = new long[items.Length * length];
        var mask = new float[items.Length * length];
        for (var r = 0; r < items.Length; r++)
            for (var i = 0; i < items[r].Ids.Count; i++)
            {
                ids[r * length + i] = items[r].Ids[i];
                mask[r * length + i] = 1;
            }
        return new TokenBatch(ids, ids, mask, items.Length, length) { Prompts = new PromptBatch(items, pass, passes) };
    }
}
