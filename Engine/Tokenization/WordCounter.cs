using System.Runtime.InteropServices;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Counts pre-token words (GPT-2 ByteLevel split, no prefix space, like HF's trainer feeding ByteLevel)
/// with a bounded table: past <c>capacity</c> entries the rarest words are pruned (count &lt;= t for rising t
/// until a quarter of the room is free), a lossy-counting scheme that keeps frequent words exact.
/// </summary>
sealed class WordCounter(int capacity)
{
    readonly Dictionary<string, long> counts = [];

    public int Count => counts.Count;

    public IEnumerable<KeyValuePair<string, long>> Entries => counts;

    public void AddText(string text)
    {
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        ReadOnlySpan<char> span = text;
        int start = 0;
        while (start < span.Length)
        {
            int length = Gpt2Splitter.NextPieceLength(span, start);
            CollectionsMarshal.GetValueRefOrAddDefault(lookup, span.Slice(start, length), out _)++;
            start += length;
        }
        PruneIfFull();
    }

    public void Add(WordCounter other)
    {
        foreach ((string word, long count) in other.counts)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(counts, word, out _) += count;
        }
        PruneIfFull();
    }

    void PruneIfFull()
    {
        if (counts.Count <= capacity)
        {
            return;
        }
        for (long threshold = 1; counts.Count > capacity * 3L / 4; threshold++)
        {
            foreach ((string word, long count) in counts)
            {
                if (count <= threshold)
                {
                    counts.Remove(word);
                }
            }
        }
    }
}
