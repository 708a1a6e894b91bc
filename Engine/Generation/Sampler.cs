using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Generation;

/// <summary>
/// Picks the next token of every row from last-position logits: repetition penalty, temperature,
/// top-k, top-p (nucleus, Holtzman et al. 2019), then a draw from a seeded generator.
/// All on the model's device; the only host read is the caller's read of the chosen ids.
/// </summary>
public sealed class Sampler : IDisposable
{
    readonly SamplingOptions options;
    readonly torch.Generator? generator;

    public Sampler(SamplingOptions options, Device device)
    {
        this.options = options.Validate();
        if (options.Temperature > 0)
        {
            generator = new torch.Generator((ulong)(options.Seed ?? Random.Shared.NextInt64()), device);
        }
    }

    /// <summary>logits (B, vocab) fp32, seen (B, vocab) bool or null -> ids (B) int64.</summary>
    public Tensor Next(Tensor logits, Tensor? seen)
    {
        using var scope = NewDisposeScope();
        logits = logits.to(ScalarType.Float32);
        if (seen is not null && options.RepetitionPenalty != 1.0)
        {
            // every Scalar held in a local until the end (Runtime/KeptScalars says why)
            using var zero = 0.ToScalar();
            using var penalty = options.RepetitionPenalty.ToScalar();
            var penalised = where(logits > zero, logits / penalty, logits * penalty);
            logits = where(seen, penalised, logits);
        }
        // temperature 0 is greedy; so is top_p 0, which keeps only the most likely token (what argmax picks, at any temperature)
        if (options.Temperature == 0 || options.TopP == 0)
            return logits.argmax(-1).MoveToOuterDisposeScope();

        using var temperature = options.Temperature.ToScalar();
        logits = logits / temperature;
        if (options.TopK > 0 && options.TopK < logits.shape[1])
        {
            var kth = logits.topk(options.TopK, dim: -1).values.narrow(1, options.TopK - 1, 1);
            logits = logits.masked_fill(logits < kth, float.NegativeInfinity);
        }
        if (options.TopP < 1.0)
        {
            var (sorted, order) = logits.sort(-1, descending: true);
            var probs = sorted.softmax(-1);
            // drop a token when the tokens before it already reach top_p (the first always stays: top_p > 0 here)
            var drop = (probs.cumsum(-1) - probs) >= options.TopP;
            logits = logits.scatter(1, order, sorted.masked_fill(drop, float.NegativeInfinity));
        }
        var next = multinomial(logits.softmax(-1), 1, replacement: false, generator: generator).squeeze(1);
        return next.MoveToOuterDisposeScope();
    }

    public void Dispose() => generator?.Dispose();
}
