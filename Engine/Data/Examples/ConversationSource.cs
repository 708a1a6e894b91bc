namespace MiniMind.Engine.Data;

/// <summary>SFT and reasoning examples: the rendered conversation truncated, padded and labelled by <see cref="SftLabels"/>.</summary>
sealed class ConversationSource(TokenCache cache, ChatMarkers markers, int length, int padId) : IExampleSource
{
    public long Count => cache.Count;

    public int RowsPerExample => 1;

    public void Fill(long example, int row, Span<int> ids, Span<int> labels) => FillEntry(cache, markers, length, padId, example, ids, labels);

    internal static void FillEntry(TokenCache cache, ChatMarkers markers, int length, int padId, long entry, Span<int> ids, Span<int> labels)
    {
        var real = Math.Min(cache.LengthOf(entry), length);
        cache.CopyTokens(cache.StartOf(entry), ids[..real]);
        ids[real..].Fill(padId);
        SftLabels.Label(ids, markers, labels);
    }
}
