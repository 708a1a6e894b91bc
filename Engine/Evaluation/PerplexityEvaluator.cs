using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using static TorchSharp.torch;

namespace MiniMind.Engine.Evaluation;

public sealed record PerplexityResult(double Perplexity, double BitsPerByte, long Tokens, long Bytes, int Documents);

/// <summary>
/// Perplexity and bits per byte of held-out text: each document as <c>bos + text + eos</c>, cut into
/// non-overlapping windows of max_seq_len, every next token scored. Bits per byte (total nats / ln 2 /
/// UTF-8 bytes) compares models across tokenizers; perplexity is per token of this tokenizer.
/// </summary>
public sealed class PerplexityEvaluator(MiniMindModel model, ByteLevelBpeTokenizer tokenizer)
{
    public PerplexityResult Evaluate(IReadOnlyList<string> documents, int? windowLength = null,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        if (documents.Count == 0) throw new ArgumentException("No text to evaluate.");
        int window = Math.Min(windowLength ?? model.Config.MaxSeqLen, model.Config.MaxSeqLen);
        var device = model.Device;
        double nats = 0;
        long tokens = 0, bytes = 0;
        model.eval();
        using var noGrad = no_grad();
        for (int d = 0; d < documents.Count; d++)
        {
            cancel.ThrowIfCancellationRequested();
            bytes += System.Text.Encoding.UTF8.GetByteCount(documents[d]);
            var ids = new List<long>();
            if (tokenizer.BosId is int bos) ids.Add(bos);
            ids.AddRange(tokenizer.Encode(documents[d]).Select(i => (long)i));
            if (tokenizer.EosId is int eos) ids.Add(eos);
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
            progress?.Report((d + 1, documents.Count));
        }
        return new PerplexityResult(Math.Exp(nats / tokens), nats / Math.Log(2) / Math.Max(1, bytes), tokens, bytes, documents.Count);
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
