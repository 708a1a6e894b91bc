namespace MiniMind.Engine.Data;

/// <summary>
/// What a dataset holds: record counts (and the share of bad ones), characters and tokens, a histogram of sequence
/// lengths (tokens when a tokenizer was given, else characters) in power-of-two buckets keyed by their upper bound,
/// the truncation rate at a max_seq_len, turns per conversation and role counts. DPO counts chosen and rejected sequences apiece.
/// </summary>
public sealed record DatasetStatistics
{
    public required string File { get; init; }
    public required DatasetKind Kind { get; init; }
    public required DataStats Records { get; init; }
    public required long Sequences { get; init; }
    public required long Characters { get; init; }

    /// <summary>Null without a tokenizer.</summary>
    public long? Tokens { get; init; }

    /// <summary>"tokens" or "characters": the unit of <see cref="LengthHistogram"/> and the length figures.</summary>
    public required string LengthUnit { get; init; }
    public required long MaxLength { get; init; }
    public required double MeanLength { get; init; }
    public required SortedDictionary<long, long> LengthHistogram { get; init; }
    public int? MaxSeqLen { get; init; }

    /// <summary>Sequences longer than <see cref="MaxSeqLen"/> tokens (pretraining counts the bos and eos it adds).</summary>
    public long? Truncated { get; init; }
    public double? TruncationRate => Truncated is { } t && Sequences > 0 ? (double)t / Sequences : null;
    public required SortedDictionary<int, long> TurnsHistogram { get; init; }
    public required SortedDictionary<string, long> RoleCounts { get; init; }

    /// <summary>The power-of-two bucket (its upper bound) that <paramref name="length"/> falls in: 0, 1, 2, 4, 8, ...</summary>
    public static long BucketOf(long length) => length <= 1 ? length : 1L << (int)(64 - long.LeadingZeroCount(length - 1));
}
