using System.Collections.Concurrent;
using System.Text;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Byte-level BPE training on jsonl corpora, reproducing what MiniMind's <c>train_tokenizer.py</c> does with
/// HF <c>tokenizers</c> (ByteLevel pre-tokenizer without prefix space, <c>BpeTrainer</c> with the full
/// byte alphabet as <c>initial_alphabet</c>): specials get ids 0.., then the 256 byte symbols sorted by
/// code point (HF's <c>compute_alphabet</c> order), then the learned merges.
/// </summary>
public sealed class BpeTrainer(BpeTrainerOptions options)
{
    const int BatchLines = 2048;

    /// <summary>Trains on <paramref name="jsonlFiles"/> and writes tokenizer.json + tokenizer_config.json to <paramref name="outputDir"/>.</summary>
    public BpeTrainingResult Train(
        IReadOnlyList<string> jsonlFiles,
        string outputDir,
        IProgress<BpeTrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        int baseVocab = options.SpecialTokens.Count + 256;
        if (options.VocabSize < baseVocab)
        {
            throw new ArgumentException($"VocabSize {options.VocabSize} is below the {baseVocab} specials + byte symbols.", nameof(options));
        }

        WordCounter counts = CountWords(jsonlFiles, progress, cancellationToken);
        List<string> vocab = InitialVocab();
        IEnumerable<KeyValuePair<string, long>> entries = options.SplitCjkCharacters ? SplitCjk(counts.Entries) : counts.Entries;
        TrainingWord[] words = ToTrainingWords(entries, vocab);

        var merger = new BpeMerger(words, vocab, options.Threads);
        merger.Run(
            options.VocabSize,
            options.MinFrequency,
            size => progress?.Report(new BpeTrainingProgress(BpeTrainingStage.Merging, size, options.VocabSize)),
            cancellationToken);

        Directory.CreateDirectory(outputDir);
        string tokenizerJson = Path.Combine(outputDir, "tokenizer.json");
        TokenizerFilesWriter.WriteTokenizerJson(tokenizerJson, merger.Vocab, merger.Merges, options.SpecialTokens);
        TokenizerFilesWriter.WriteTokenizerConfig(Path.Combine(outputDir, "tokenizer_config.json"), options);
        return new BpeTrainingResult(merger.Vocab.Count, merger.Merges.Count, counts.Count, tokenizerJson);
    }

    WordCounter CountWords(IReadOnlyList<string> files, IProgress<BpeTrainingProgress>? progress, CancellationToken cancellationToken)
    {
        long total = JsonlCorpus.TotalBytes(files);
        long read = 0;
        var totals = new WordCounter(options.MaxUniqueWords);
        var perThread = new ConcurrentBag<WordCounter>();
        IEnumerable<List<string>> batches = JsonlCorpus.LineBatches(files, BatchLines, bytes =>
        {
            read += bytes;
            progress?.Report(new BpeTrainingProgress(BpeTrainingStage.CountingWords, read, total));
        }, cancellationToken);

        Parallel.ForEach(
            Partitioner.Create(batches, EnumerablePartitionerOptions.NoBuffering),
            new ParallelOptions { MaxDegreeOfParallelism = options.Threads, CancellationToken = cancellationToken },
            () => new WordCounter(options.MaxUniqueWords / options.Threads),
            (batch, _, counter) =>
            {
                var texts = new List<string>();
                foreach (string line in batch)
                {
                    JsonlCorpus.Texts(line, texts);
                }
                foreach (string text in texts)
                {
                    counter.AddText(text);
                }
                return counter;
            },
            perThread.Add);

        foreach (WordCounter counter in perThread)
        {
            totals.Add(counter);
        }
        return totals;
    }

    List<string> InitialVocab()
    {
        var vocab = new List<string>(options.SpecialTokens);
        IEnumerable<string> alphabet = ByteLevelAlphabet.Chars.ToArray().Order().Select(c => c.ToString());
        vocab.AddRange(alphabet.Where(c => !vocab.Contains(c)));
        return vocab;
    }

    /// <summary>Each word with every CJK character cut out as a word of its own (the counts of equal pieces added up).</summary>
    static Dictionary<string, long> SplitCjk(IEnumerable<KeyValuePair<string, long>> entries)
    {
        var split = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(string piece, long count) => split[piece] = split.GetValueOrDefault(piece) + count;
        foreach ((string word, long count) in entries)
        {
            int start = 0;
            for (int i = 0; i < word.Length; i++)
            {
                if (!IsCjk(word[i])) continue;
                if (i > start) Add(word[start..i], count);
                Add(word[i].ToString(), count);
                start = i + 1;
            }
            if (start < word.Length) Add(start == 0 ? word : word[start..], count);
        }
        return split;
    }

    /// <summary>CJK ideographs (basic and extension A), CJK symbols and punctuation, full-width forms.</summary>
    internal static bool IsCjk(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\u3000' and <= '\u303F' or >= '\uFF00' and <= '\uFFEF';

    static TrainingWord[] ToTrainingWords(IEnumerable<KeyValuePair<string, long>> entries, List<string> vocab)
    {
        var byteIds = new int[256];
        for (int b = 0; b < 256; b++)
        {
            byteIds[b] = vocab.IndexOf(ByteLevelAlphabet.ToChar((byte)b).ToString());
        }
        // Ordinal order makes word indices, and so every tie downstream, independent of hashing and threads.
        return entries.OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new TrainingWord(Array.ConvertAll(Encoding.UTF8.GetBytes(e.Key), b => byteIds[b]), e.Value))
            .ToArray();
    }
}
