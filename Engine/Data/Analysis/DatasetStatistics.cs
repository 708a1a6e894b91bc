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

    /// <summary>
    /// Every length bucket from the shortest to the longest, the empty ones with 0: a chart of only the filled buckets puts
    /// ≤64 beside ≤1024 as if they were neighbours.
    /// </summary>
    public IReadOnlyList<(long Bucket, long Count)> LengthBuckets()
    {
        if (LengthHistogram.Count == 0) return [];
        var buckets = new List<(long, long)>();
        for (var bucket = LengthHistogram.Keys.First(); bucket <= LengthHistogram.Keys.Last(); bucket = bucket == 0 ? 1 : bucket * 2)
            buckets.Add((bucket, LengthHistogram.GetValueOrDefault(bucket)));
        return buckets;
    }

    /// <summary>Every turn count from the fewest to the most, the empty ones with 0.</summary>
    public IReadOnlyList<(int Turns, long Count)> TurnBuckets() => TurnsHistogram.Count == 0 ? []
        : [.. Enumerable.Range(TurnsHistogram.Keys.First(), TurnsHistogram.Keys.Last() - TurnsHistogram.Keys.First() + 1).Select(t => (t, TurnsHistogram.GetValueOrDefault(t)))];

    /// <summary>The power-of-two bucket (its upper bound) that <paramref name="length"/> falls in: 0, 1, 2, 4, 8, ...</summary>
    public static long BucketOf(long length) => length <= 1 ? length : 1L << (int)(64 - long.LeadingZeroCount(length - 1));
}
