namespace MiniMind.Engine.Tokenization;

/// <summary>
/// The merge phase of HF's <c>BpeTrainer::do_train</c>: pair counts are kept incrementally, a max-heap holds
/// candidate pairs (stale counts are refreshed and re-queued on pop), and each merge only touches the words
/// recorded for that pair. Following HF exactly makes the merges deterministic and identical to HF's.
/// </summary>
internal sealed class BpeMerger
{
    private const int ParallelThreshold = 4096;

    private readonly TrainingWord[] _words;
    private readonly List<string> _idToToken;
    private readonly Dictionary<string, int> _tokenToId;
    private readonly Dictionary<long, long> _pairCounts = new(PairKeyComparer.Instance);
    private readonly Dictionary<long, List<int>> _whereToUpdate = new(PairKeyComparer.Instance);
    private readonly PriorityQueue<MergeCandidate, MergeCandidate> _queue = new(MergeCandidate.PopOrder);
    private readonly int _threads;

    public BpeMerger(TrainingWord[] words, List<string> initialVocab, int threads)
    {
        _words = words;
        _idToToken = initialVocab;
        _tokenToId = initialVocab.Select((token, id) => (token, id)).ToDictionary(x => x.token, x => x.id);
        _threads = threads;
    }

    /// <summary>Learned merges in rank order, as (left token, right token).</summary>
    public List<(string Left, string Right)> Merges { get; } = [];

    public IReadOnlyList<string> Vocab => _idToToken;

    public void Run(int vocabSize, long minFrequency, Action<int> reportVocab, CancellationToken cancellationToken)
    {
        CountInitialPairs();
        while (_idToToken.Count < vocabSize && _queue.TryDequeue(out MergeCandidate? top, out _))
        {
            long current = _pairCounts[top.Pair];
            if (top.Count != current)
            {
                top.Count = current;
                _queue.Enqueue(top, top);
                continue;
            }
            if (top.Count < 1 || top.Count < minFrequency)
            {
                break;
            }
            cancellationToken.ThrowIfCancellationRequested();
            ApplyMerge(top);
            reportVocab(_idToToken.Count);
        }
    }

    private void CountInitialPairs()
    {
        for (int w = 0; w < _words.Length; w++)
        {
            ReadOnlySpan<int> symbols = _words[w].Symbols;
            for (int i = 0; i + 1 < symbols.Length; i++)
            {
                long pair = BpeModel.PackPair(symbols[i], symbols[i + 1]);
                _pairCounts[pair] = _pairCounts.GetValueOrDefault(pair) + _words[w].Count;
                RecordWord(pair, w);
            }
        }
        QueueUpdatedPairs();
    }

    private void ApplyMerge(MergeCandidate top)
    {
        int left = (int)(top.Pair >> 32);
        int right = (int)top.Pair;
        string token = _idToToken[left] + _idToToken[right];
        if (!_tokenToId.TryGetValue(token, out int merged))
        {
            merged = _idToToken.Count;
            _idToToken.Add(token);
            _tokenToId[token] = merged;
        }
        Merges.Add((_idToToken[left], _idToToken[right]));

        foreach (List<PairChange> changes in MergeWords(top.Words, left, right, merged))
        {
            foreach (PairChange change in changes)
            {
                _pairCounts[change.Pair] = _pairCounts.GetValueOrDefault(change.Pair) + change.Delta * _words[change.WordIndex].Count;
                if (change.Delta > 0)
                {
                    RecordWord(change.Pair, change.WordIndex);
                }
            }
        }
        QueueUpdatedPairs();
    }

    /// <summary>Merges the pair in the given words; the change lists come back in word order.</summary>
    private List<PairChange>[] MergeWords(List<int> wordIndices, int left, int right, int merged)
    {
        int chunks = wordIndices.Count < ParallelThreshold ? 1 : _threads * 4;
        var results = new List<PairChange>[chunks];
        int chunkSize = (wordIndices.Count + chunks - 1) / chunks;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _threads }, chunk =>
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

    private void RecordWord(long pair, int word)
    {
        if (!_whereToUpdate.TryGetValue(pair, out List<int>? words))
        {
            _whereToUpdate[pair] = words = [];
        }
        // Words are visited in order, so a repeat can only be the last entry (HF uses a set).
        if (words.Count == 0 || words[^1] != word)
        {
            words.Add(word);
        }
    }

    private void QueueUpdatedPairs()
    {
        foreach ((long pair, List<int> words) in _whereToUpdate)
        {
            long count = _pairCounts[pair];
            if (count > 0)
            {
                var candidate = new MergeCandidate(pair, count, words);
                _queue.Enqueue(candidate, candidate);
            }
        }
        _whereToUpdate.Clear();
    }
}
