namespace MiniMind.Engine.Data;

/// <summary>
/// Pretraining as the original does it: one document per row, <c>bos + text[:L-2] + eos</c>, padded with the pad id
/// whose positions are not targets.
/// </summary>
sealed class PaddedPretrainSource(TokenCache cache, int length, int padId) : IExampleSource
{
    public long Count => cache.Count;

    public int RowsPerExample => 1;

    public void Fill(long example, int row, Span<int> ids, Span<int> labels)
    {
        var entry = cache.LengthOf(example); // bos + text + eos
        var start = cache.StartOf(example);
        int real;
        if (entry <= length)
        {
            cache.CopyTokens(start, ids[..entry]);
            real = entry;
        }
        else
        {
            // Truncating the text keeps the closing eos, as the original's tokenizer(max_length = L - 2) + eos does.
            cache.CopyTokens(start, ids[..(length - 1)]);
            cache.CopyTokens(start + entry - 1, ids.Slice(length - 1, 1));
            real = length;
        }
        ids[real..].Fill(padId);
        ids[..real].CopyTo(labels);
        labels[real..].Fill(SftLabels.Ignore);
    }
}
