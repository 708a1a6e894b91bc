namespace MiniMind.Engine.Tokenization;

/// <summary>
/// A queue entry of the trainer (HF trainer's <c>Merge</c>): a pair, its count when queued, and the words
/// that held new occurrences of it at that time.
/// </summary>
sealed class MergeCandidate(long pair, long count, List<int> words)
{
    public long Pair { get; } = pair;

    public long Count { get; set; } = count;

    public List<int> Words { get; } = words;

    /// <summary>HF's order: highest count first, ties to the smaller (left id, right id) pair.</summary>
    public static readonly IComparer<MergeCandidate> PopOrder = Comparer<MergeCandidate>.Create((a, b) =>
        a.Count != b.Count ? b.Count.CompareTo(a.Count) : a.Pair.CompareTo(b.Pair));
}
