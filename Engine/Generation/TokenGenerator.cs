using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Engine.Generation;

/// <summary>Options of one generation call, on token ids (text and chat templates sit above).</summary>
public sealed record GenerationRequest
{
    public required IReadOnlyList<IReadOnlyList<long>> Prompts { get; init; }
    public int MaxNewTokens { get; init; } = 256;
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;
    /// <summary>Stop a row when it produces this id (unless IgnoreEos).</summary>
    public long? EosId { get; init; }
    public bool IgnoreEos { get; init; }
}

/// <summary>
/// Autoregressive decoding with a KV cache allocated once per call: one prefill of the prompts,
/// then one token per step. Works on ids only; the engine knows nothing of tokenization here.
/// </summary>
public static class TokenGenerator
{
    /// <summary>Generates for equal-length prompts; yields each step's new ids (one per row) as they come.</summary>
    public static IEnumerable<long[]> Stream(MiniMindModel model, GenerationRequest request, CancellationToken cancel = default)
    {
        var prompts = request.Prompts;
        if (prompts.Count == 0) throw new ArgumentException("No prompt rows to generate from.");
        int length = prompts[0].Count;
        if (length == 0) throw new ArgumentException("Prompts must hold at least one token.");
        if (prompts.Any(p => p.Count != length))
            throw new ArgumentException("All prompt rows must have the same length.");
        if (request.MaxNewTokens < 0) throw new ArgumentException($"max new tokens must be >= 0; got {request.MaxNewTokens}.");
        int maxNew = Math.Min(request.MaxNewTokens, model.Config.MaxSeqLen - length);
        if (maxNew <= 0) yield break;
        long vocab = model.Config.VocabSize;
        foreach (var id in prompts.SelectMany(p => p))
            if (id < 0 || id >= vocab) throw new ArgumentException($"Token id {id} is outside the vocabulary (0 .. {vocab - 1}).");

        var device = model.parameters().First().device;
        var dtype = model.parameters().First().dtype;
        int rows = prompts.Count;
        model.eval();
        using var noGrad = no_grad();
        using var cache = new KVCache(model.Config, rows, length + maxNew, device, dtype);
        using var sampler = new Sampler(request.Sampling, device);
        using var input = tensor(prompts.SelectMany(p => p).ToArray(), [rows, length], ScalarType.Int64, device);
        using var seen = request.Sampling.RepetitionPenalty != 1.0
            ? zeros([rows, vocab], ScalarType.Bool, device).scatter_(1, input, ones([rows, length], ScalarType.Bool, device))
            : null;
        var finished = new bool[rows];
        Tensor? next = null;
        try
        {
            for (int step = 0; step < maxNew; step++)
            {
                cancel.ThrowIfCancellationRequested();
                long[] ids;
                using (var scope = NewDisposeScope())
                {
                    var stepInput = step == 0 ? input : next!.view(rows, 1);
                    var (logits, _) = model.Forward(stepInput, step == 0 ? 0 : length + step - 1, cache, lastOnly: true);
                    var chosen = sampler.Next(logits.select(1, 0), seen);
                    seen?.scatter_(1, chosen.view(rows, 1), ones([rows, 1], ScalarType.Bool, device));
                    next?.Dispose();
                    next = chosen.DetachFromDisposeScope();
                    ids = next.cpu().data<long>().ToArray(); // the one host sync per token
                }
                yield return ids;
                if (request.EosId is long eos && !request.IgnoreEos)
                {
                    for (int r = 0; r < rows; r++) finished[r] |= ids[r] == eos;
                    if (finished.All(f => f)) yield break;
                }
            }
        }
        finally
        {
            next?.Dispose();
        }
    }

    /// <summary>Generates and collects each row's new tokens (a row stops after its eos, which is kept).</summary>
    public static List<long>[] Generate(MiniMindModel model, GenerationRequest request, CancellationToken cancel = default)
    {
        var result = request.Prompts.Select(_ => new List<long>()).ToArray();
        var done = new bool[result.Length];
        foreach (var ids in Stream(model, request, cancel))
        {
            for (int r = 0; r < ids.Length; r++)
            {
                if (done[r]) continue;
                result[r].Add(ids[r]);
                done[r] = request.EosId is long eos && !request.IgnoreEos && ids[r] == eos;
            }
        }
        return result;
    }
}
