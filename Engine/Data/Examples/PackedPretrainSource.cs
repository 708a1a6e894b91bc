namespace MiniMind.Engine.Data;

/// <summary>
/// Packed pretraining: every document's <c>bos + text + eos</c> concatenated into one stream and cut into rows of
/// L tokens that overlap by one (row r starts at r·(L-1)), so every next-token transition is a target exactly once and no
/// row carries padding except the last. Attention is plain causal across document boundaries: a token may attend to the
/// previous document in its row, as in most packed pretraining; the eos/bos pair between them marks the boundary.
/// </summary>
sealed class PackedPretrainSource(TokenCache cache, int length, int padId) : IExampleSource
{
    public long Count => cache.TotalTokens <= 1 ? 0 : (cache.TotalTokens - 1 + length - 2) / (length - 1);

    public int RowsPerExample => 1;

    public void Fill(long example, int row, Span<int> ids, Span<int> labels)
    {
        var start = example * (length - 1);
        var real = (int)Math.Min(length, cache.TotalTokens - start);
        cache.CopyTokens(start, ids[..real]);
        ids[real..].Fill(padId);
        ids[..real].CopyTo(labels);
        labels[real..].Fill(SftLabels.Ignore);
    }
}
