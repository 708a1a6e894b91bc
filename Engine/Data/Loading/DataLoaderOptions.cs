namespace MiniMind.Engine.Data;

/// <summary>Everything <see cref="DataLoader.Open(string, Tokenization.ByteLevelBpeTokenizer, DataLoaderOptions, IProgress{string}?, CancellationToken)"/> takes.</summary>
public sealed record DataLoaderOptions
{
    public required DatasetKind Kind { get; init; }

    /// <summary>Tokens per sequence before the shift: rows hold <c>MaxSeqLen - 1</c> inputs and targets.</summary>
    public required int MaxSeqLen { get; init; }

    /// <summary>The shortest sequence that holds an example (bos, a token, eos): the one lower bound of max_seq_len.</summary>
    public const int MinSeqLen = 3;

    /// <summary>Conversations only: the current original's optional system-prompt mixing and empty-think dropping (null: none).</summary>
    public ChatProcessing? Processing { get; init; }

    /// <summary>Examples per batch (pairs, for DPO: the batch then has twice as many rows).</summary>
    public required int BatchSize { get; init; }

    public long Seed { get; init; }

    /// <summary>Pretraining only: pack documents into full rows instead of padding each.</summary>
    public bool Packed { get; init; }

    /// <summary>
    /// Cut the columns after a batch's last target position (they are padding in every row): fewer tokens to
    /// compute, the same loss, since causal attention never lets later positions reach earlier ones.
    /// </summary>
    public bool TrimPadding { get; init; } = true;

    /// <summary>False keeps file order (tests, evaluation).</summary>
    public bool Shuffle { get; init; } = true;

    public LoaderCursor? ResumeFrom { get; init; }

    /// <summary>Refuse the file when more than this many records are bad (default: skip and count them all).</summary>
    public long MaxBadRecords { get; init; } = long.MaxValue;

    /// <summary>Batches built ahead on a background thread.</summary>
    public int Prefetch { get; init; } = 4;
}
