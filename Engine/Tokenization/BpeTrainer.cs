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
    private const int BatchLines = 2048;

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
        TrainingWord[] words = ToTrainingWords(counts, vocab);

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

    private WordCounter CountWords(IReadOnlyList<string> files, IProgress<BpeTrainingProgress>? progress, CancellationToken cancellationToken)
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

    private List<string> InitialVocab()
    {
        var vocab = new List<string>(options.SpecialTokens);
        IEnumerable<string> alphabet = ByteLevelAlphabet.Chars.ToArray().Order().Select(c => c.ToString());
        vocab.AddRange(alphabet.Where(c => !vocab.Contains(c)));
        return vocab;
    }

    private static TrainingWord[] ToTrainingWords(WordCounter counts, List<string> vocab)
    {
        var byteIds = new int[256];
        for (int b = 0; b < 256; b++)
        {
            byteIds[b] = vocab.IndexOf(ByteLevelAlphabet.ToChar((byte)b).ToString());
        }
        var words = new TrainingWord[counts.Count];
        int index = 0;
        // Ordinal order makes word indices, and so every tie downstream, independent of hashing and threads.
        foreach ((string word, long count) in counts.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            byte[] bytes = Encoding.UTF8.GetBytes(word);
            words[index++] = new TrainingWord(Array.ConvertAll(bytes, b => byteIds[b]), count);
        }
        return words;
    }
}
