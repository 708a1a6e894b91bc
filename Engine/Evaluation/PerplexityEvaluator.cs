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
        var device = model.parameters().First().device;
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

    /// <summary>Documents of a file: the "text" field of each jsonl line, or a plain text file split on blank lines.</summary>
    public static IReadOnlyList<string> ReadDocuments(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Text file not found: {path}", path);
        if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            var docs = new List<string>();
            int line = 0;
            foreach (var raw in File.ReadLines(path))
            {
                line++;
                if (string.IsNullOrWhiteSpace(raw)) continue;
                try
                {
                    using var json = System.Text.Json.JsonDocument.Parse(raw);
                    docs.Add(json.RootElement.GetProperty("text").GetString() ?? throw new InvalidDataException($"{path}:{line}: text: null."));
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    throw new InvalidDataException($"{path}:{line}: expected an object with a string \"text\" field ({e.Message}).", e);
                }
            }
            return docs;
        }
        return File.ReadAllText(path).Split(["\n\n", "\r\n\r\n"], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
