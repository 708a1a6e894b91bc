namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Bounded pre-token -> ids cache (HF's BPE keeps a similar word cache). Words repeat heavily in real text,
/// so most pre-tokens skip BPE entirely. One instance per thread, so no locking; when full it is cleared,
/// which keeps memory bounded while adapting to the current document mix.
/// </summary>
internal sealed class PieceCache(int capacity)
{
    // Long pieces (e.g. whole CJK clauses) rarely repeat; caching them would only churn the table.
    private const int MaxCachedLength = 48;

    private readonly Dictionary<string, int[]> _entries = new(capacity);

    public bool TryGet(ReadOnlySpan<char> piece, out int[] ids)
    {
        if (piece.Length <= MaxCachedLength && _entries.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(piece, out int[]? found))
        {
            ids = found;
            return true;
        }
        ids = [];
        return false;
    }

    public void Add(ReadOnlySpan<char> piece, int[] ids)
    {
        if (piece.Length > MaxCachedLength)
        {
            return;
        }
        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }
        _entries[piece.ToString()] = ids;
    }
}
