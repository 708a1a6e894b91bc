using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using static TorchSharp.torch;

namespace MiniMind.Engine.Evaluation;

/// <summary>
/// What a perplexity run scored: <see cref="Documents"/> of the <see cref="Given"/> documents, <see cref="Truncated"/> of them
/// cut at a budget (their first tokens scored), the rest not reached once the run's budget was spent.
/// </summary>
public sealed record PerplexityResult(double Perplexity, double BitsPerByte, long Tokens, long Bytes, int Documents, int Given, int Truncated)
{
    public int NotReached => Given - Documents;
}

/// <summary>
/// How much one perplexity run reads, so that one giant record (a 50 MB line) or a giant file cannot hold the command or
/// the Evaluate page for hours: at most <see cref="DocumentTokens"/> tokens of each document and <see cref="Tokens"/> in all,
/// whatever the size of the text (a 47 MB record costs what its first 8,192 tokens cost: about a second in the tests).
/// </summary>
public sealed record PerplexityBudget(int DocumentTokens = PerplexityBudget.DefaultDocumentTokens, long Tokens = PerplexityBudget.DefaultTokens)
{
    public const int DefaultDocumentTokens = 8192;
    public const long DefaultTokens = 1L << 20;

    public static readonly PerplexityBudget Default = new();

    public void Validate()
    {
        if (DocumentTokens < 2) throw new ArgumentException($"The per-document token budget must be at least 2 (one token predicted from another), not {DocumentTokens}.");
        if (Tokens < 2) throw new ArgumentException($"The run's token budget must be at least 2, not {Tokens}.");
    }
}

/// <summary>
/// Perplexity and bits per byte of held-out text: each document as <c>bos + text + eos</c>, cut into
/// non-overlapping windows of max_seq_len, every next token scored. Bits per byte (total nats / ln 2 /
/// UTF-8 bytes of the scored text) compares models across tokenizers; perplexity is per token of this tokenizer.
/// A document longer than the budget is scored on its first tokens, and the run stops once its budget is spent: the
/// result says how many documents were cut or not reached.
/// </summary>
public sealed class PerplexityEvaluator(MiniMindModel model, ByteLevelBpeTokenizer tokenizer)
{
    /// <summary>Tokens of margin beyond the budget when a long text is cut before encoding: only the word at the cut can tokenize differently.</summary>
    const int CutMargin = 64;

    public PerplexityResult Evaluate(IReadOnlyList<string> documents, int? windowLength = null,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default, PerplexityBudget? budget = null)
    {
        if (documents.Count == 0) throw new ArgumentException("No text to evaluate.");
        budget ??= PerplexityBudget.Default;
        budget.Validate();
        int window = Math.Min(windowLength ?? model.Config.MaxSeqLen, model.Config.MaxSeqLen);
        var device = model.Device;
        double nats = 0;
        long tokens = 0, bytes = 0;
        int evaluated = 0, truncated = 0;
        model.eval();
        using var noGrad = no_grad();
        for (int d = 0; d < documents.Count && tokens < budget.Tokens; d++)
        {
            cancel.ThrowIfCancellationRequested();
            // tokens this document may score: its own budget and what is left of the run's (n ids score n - 1 predictions)
            int allowed = (int)Math.Min(budget.DocumentTokens, budget.Tokens - tokens) + 1;
            var (ids, cut) = Ids(documents[d], allowed);
            bytes += cut ? System.Text.Encoding.UTF8.GetByteCount(tokenizer.Decode(ids.Select(i => (int)i), skipSpecialTokens: true))
                : System.Text.Encoding.UTF8.GetByteCount(documents[d]);
            if (cut) truncated++;
            for (int start = 0; start + 1 < ids.Count; start += window)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(window + 1, ids.Count - start);
                var chunk = tensor(ids.GetRange(start, count).ToArray(), [1, count], ScalarType.Int64, device);
                var (logits, _) = model.Forward(chunk.narrow(1, 0, count - 1));
                var ce = Training.Objectives.TokenLoss.PerTokenCrossEntropy(logits, chunk.narrow(1, 1, count - 1));
                nats += ce.sum().item<float>();
                tokens += count - 1;
            }
            evaluated++;
            progress?.Report((d + 1, documents.Count));
        }
        return new PerplexityResult(Math.Exp(nats / tokens), nats / Math.Log(2) / Math.Max(1, bytes), tokens, bytes, evaluated, documents.Count, truncated);
    }

    /// <summary>
    /// <c>bos + text + eos</c> as ids, at most <paramref name="allowed"/> of them, and whether the document was cut. A text
    /// far longer than that is cut before it is encoded (a token is at most the vocabulary's longest entry, so the cut keeps
    /// enough text), so that a 50 MB record costs no more than its budget.
    /// </summary>
    (List<long> Ids, bool Cut) Ids(string text, int allowed)
    {
        long enough = (long)(allowed + CutMargin) * tokenizer.LongestTokenLength;
        if (text.Length > enough)
        {
            int end = (int)enough;
            if (char.IsHighSurrogate(text[end - 1])) end--; // never split a character
            text = text[..end];
        }
        var ids = new List<long>();
        if (tokenizer.BosId is int bos) ids.Add(bos);
        ids.AddRange(tokenizer.Encode(text).Select(i => (long)i));
        if (tokenizer.EosId is int eos) ids.Add(eos);
        if (ids.Count <= allowed) return (ids, false);
        return (ids.GetRange(0, allowed), true);
    }

    /// <summary>
    /// Documents of a file: the "text" of each record of a jsonl or parquet file, read as training reads a pretraining file
    /// (the first bad record fails with its file, line and field), or a plain text file split on blank lines.
    /// </summary>
    public static IReadOnlyList<string> ReadDocuments(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Text file not found: {path}", path);
        if (!path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) && !DatasetFile.IsParquet(path))
            return File.ReadAllText(path).Split(["\n\n", "\r\n\r\n"], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var docs = new List<string>();
        using var file = DatasetFile.Open(path);
        RecordScanner.Scan(file, DatasetKind.Pretrain, r => ((PretrainRecord)r).Text, item =>
        {
            if (item.Problem is { } problem) throw new InvalidDataException($"{problem}.");
            if (item.Value is { } text) docs.Add(text);
        });
        return docs;
    }
}
