namespace MiniMind.Engine.Tokenization;

/// <summary>
/// The merge phase of HF's <c>BpeTrainer::do_train</c>: pair counts are kept incrementally, a max-heap holds
/// candidate pairs (stale counts are refreshed and re-queued on pop), and each merge only touches the words
/// recorded for that pair. Following HF exactly makes the merges deterministic and identical to HF's.
/// </summary>
sealed class BpeMerger
{
    const int ParallelThreshold = 4096;

    readonly TrainingWord[] _words;
    readonly List<string> idToToken;
    readonly Dictionary<string, int> tokenToId;
    readonly Dictionary<long, long> pairCounts = new(PairKeyComparer.Instance);
    readonly Dictionary<long, List<int>> whereToUpdate = new(PairKeyComparer.Instance);
    readonly PriorityQueue<MergeCandidate, MergeCandidate> queue = new(MergeCandidate.PopOrder);
    readonly int threads;

    public BpeMerger(TrainingWord[] words, List<string> initialVocab, int threads)
    {
        _words = words;
        idToToken = initialVocab;
        tokenToId = initialVocab.Select((token, id) => (token, id)).ToDictionary(x => x.token, x => x.id);
        this.threads = threads;
    }

    /// <summary>Learned merges in rank order, as (left token, right token).</summary>
    public List<(string Left, string Right)> Merges { get; } = [];

    public IReadOnlyList<string> Vocab => idToToken;

    public void Run(int vocabSize, long minFrequency, Action<int> reportVocab, CancellationToken cancellationToken)
    {
        CountInitialPairs();
        while (idToToken.Count < vocabSize && queue.TryDequeue(out MergeCandidate? top, out _))
        {
            long current = pairCounts[top.Pair];
            if (top.Count != current)
            {
                top.Count = current;
                queue.Enqueue(top, top);
                continue;
            }
            if (top.Count < 1 || top.Count < minFrequency)
            {
                break;
            }
            cancellationToken.ThrowIfCancellationRequested();
            ApplyMerge(top);
            reportVocab(idToToken.Count);
        }
    }

    void CountInitialPairs()
    {
        for (int w = 0; w < _words.Length; w++)
        {
            ReadOnlySpan<int> symbols = _words[w].Symbols;
            for (int i = 0; i + 1 < symbols.Length; i++)
            {
                long pair = BpeModel.PackPair(symbols[i], symbols[i + 1]);
                pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + _words[w].Count;
                RecordWord(pair, w);
            }
        }
        QueueUpdatedPairs();
    }

    void ApplyMerge(MergeCandidate top)
    {
        int left = (int)(top.Pair >> 32);
        int right = (int)top.Pair;
        string token = idToToken[left] + idToToken[right];
        if (!tokenToId.TryGetValue(token, out int merged))
        {
            merged = idToToken.Count;
            idToToken.Add(token);
            tokenToId[token] = merged;
        }
        Merges.Add((idToToken[left], idToToken[right]));

        foreach (List<PairChange> changes in MergeWords(top.Words, left, right, merged))
        {
            foreach (PairChange change in changes)
            {
                pairCounts[change.Pair] = pairCounts.GetValueOrDefault(change.Pair) + change.Delta * _words[change.WordIndex].Count;
                if (change.Delta > 0)
                {
                    RecordWord(change.Pair, change.WordIndex);
                }
            }
        }
        QueueUpdatedPairs();
    }

    /// <summary>Merges the pair in the given words; the change lists come back in word order.</summary>
    List<PairChange>[] MergeWords(List<int> wordIndices, int left, int right, int merged)
    {
        int chunks = wordIndices.Count < ParallelThreshold ? 1 : threads * 4;
        var results = new List<PairChange>[chunks];
        int chunkSize = (wordIndices.Count + chunks - 1) / chunks;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, chunk =>
        {
            var changes = new List<PairChange>();
            int end = Math.Min(wordIndices.Count, (chunk + 1) * chunkSize);
            for (int k = chunk * chunkSize; k < end; k++)
            {
                _words[wordIndices[k]].Merge(left, right, merged, changes, wordIndices[k]);
            }
            results[chunk] = changes;
        });
        return results;
    }

    void RecordWord(long pair, int word)
    {
        if (!whereToUpdate.TryGetValue(pair, out List<int>? words))
        {
            whereToUpdate[pair] = words = [];
        }
        // Words are visited in order, so a repeat can only be the last entry (HF uses a set).
        if (words.Count == 0 || words[^1] != word)
        {
            words.Add(word);
        }
    }

    void QueueUpdatedPairs()
    {
        foreach ((long pair, List<int> words) in whereToUpdate)
        {
            long count = pairCounts[pair];
            if (count > 0)
            {
                var candidate = new MergeCandidate(pair, count, words);
                queue.Enqueue(candidate, candidate);
            }
        }
        whereToUpdate.Clear();
    }
}
