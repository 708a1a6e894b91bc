namespace MiniMind.Engine.Data;

/// <summary>DPO examples: a pair is two rows, the chosen conversation (cache entry 2i) and the rejected one (2i+1), each labelled like SFT.</summary>
sealed class PreferenceSource(TokenCache cache, ChatMarkers markers, int length, int padId) : IExampleSource
{
    public long Count => cache.Count / 2;

    public int RowsPerExample => 2;

    public void Fill(long example, int row, Span<int> ids, Span<int> labels) =>
        ConversationSource.FillEntry(cache, markers, length, padId, 2 * example + row, ids, labels);
}
