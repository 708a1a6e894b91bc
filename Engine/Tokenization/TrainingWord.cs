namespace MiniMind.Engine.Tokenization;

/// <summary>
/// A distinct corpus word as a symbol sequence, merged in place (HF <c>models::bpe::Word</c>).
/// </summary>
sealed class TrainingWord(int[] symbols, long count)
{
    int length = symbols.Length;

    public long Count { get; } = count;

    public ReadOnlySpan<int> Symbols => symbols.AsSpan(0, length);

    /// <summary>
    /// Replaces every non-overlapping (left, right) with <paramref name="merged"/>, left to right, and reports
    /// the pair-count deltas exactly as HF's <c>Word::merge</c> does: for each merge, -1 for the old neighbour
    /// pairs and +1 for the new ones (the merged pair's own count is left for the caller to forget).
    /// </summary>
    public void Merge(int left, int right, int merged, List<PairChange> changes, int wordIndex)
    {
        for (int i = 0; i < length; i++)
        {
            if (symbols[i] != left || i + 1 >= length || symbols[i + 1] != right)
            {
                continue;
            }
            if (i > 0)
            {
                changes.Add(new PairChange(BpeModel.PackPair(symbols[i - 1], left), -1, wordIndex));
                changes.Add(new PairChange(BpeModel.PackPair(symbols[i - 1], merged), 1, wordIndex));
            }
            symbols[i] = merged;
            Array.Copy(symbols, i + 2, symbols, i + 1, length - i - 2);
            length--;
            if (i < length - 1)
            {
                changes.Add(new PairChange(BpeModel.PackPair(right, symbols[i + 1]), -1, wordIndex));
                changes.Add(new PairChange(BpeModel.PackPair(merged, symbols[i + 1]), 1, wordIndex));
            }
        }
    }
}

/// <summary>One pair-count delta produced by merging inside a word.</summary>
readonly record struct PairChange(long Pair, int Delta, int WordIndex);
