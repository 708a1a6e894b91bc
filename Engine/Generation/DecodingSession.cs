using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Generation;

/// <summary>
/// One batch of sequences decoded step by step with a KV cache allocated once, at its final length.
/// Rows may differ in length: they are left-padded, and the cache gives each row its own rotary
/// positions and hides its padding, so a row decodes exactly as it would alone.
/// Per step the host reads only the sampled ids (into a buffer reused across steps); everything
/// else stays on the model's device. Not thread-safe: one thread steps a session.
/// </summary>
public sealed class DecodingSession : IDisposable
{
    readonly MiniMindModel model;
    readonly KVCache cache;
    readonly Sampler sampler;
    readonly Tensor prompt;            // (B, longest prompt) left-padded
    readonly Tensor? seen;             // (B, vocab) bool, for the repetition penalty
    readonly Tensor? onesColumn;       // (B, 1) bool, scattered into seen every step
    readonly long[] ids;               // the ids of the last step, reused
    readonly bool[] finished;
    readonly int longest;
    Tensor? next;
    int unfinished;

    public DecodingSession(MiniMindModel model, IReadOnlyList<IReadOnlyList<long>> prompts, int maxNewTokens, SamplingOptions sampling)
    {
        if (prompts.Count == 0) throw new ArgumentException("No prompt rows to generate from.");
        if (prompts.Any(p => p.Count == 0)) throw new ArgumentException("Prompts must hold at least one token.");
        if (maxNewTokens < 0) throw new ArgumentException($"max new tokens must be >= 0; got {maxNewTokens}.");
        long vocab = model.Config.VocabSize;
        foreach (var row in prompts)
            foreach (var id in row)
                if (id < 0 || id >= vocab) throw new ArgumentException($"Token id {id} is outside the vocabulary (0 .. {vocab - 1}).");
        longest = prompts.Max(p => p.Count);
        if (longest > model.Config.MaxSeqLen)
            throw new ArgumentException($"A prompt of {longest} tokens does not fit the context of {model.Config.MaxSeqLen}.");

        this.model = model;
        Rows = prompts.Count;
        MaxNewTokens = Math.Min(maxNewTokens, model.Config.MaxSeqLen - longest);
        ids = new long[Rows];
        finished = new bool[Rows];
        unfinished = Rows;
        var first = model.parameters().First();
        var device = first.device;
        model.eval();

        // host-side layout once: padded ids, and which (row, token) pairs the prompt has already seen
        var padded = new long[Rows * longest];
        var padding = new int[Rows];
        for (int r = 0; r < Rows; r++)
        {
            padding[r] = longest - prompts[r].Count;
            for (int i = 0; i < prompts[r].Count; i++) padded[r * longest + padding[r] + i] = prompts[r][i];
        }
        // keys and values come out of the projections in their compute dtype (bf16 for mixed precision), not the weights'
        var cacheType = model.ComputeType ?? first.dtype;
        cache = new KVCache(model.Config, Rows, Math.Max(1, longest + MaxNewTokens), device, cacheType);
        try
        {
            cache.SetLeftPadding(padding);
            sampler = new Sampler(sampling, device);
            prompt = tensor(padded, [Rows, longest], ScalarType.Int64, device);
            if (sampling.RepetitionPenalty != 1.0)
            {
                var seenHost = new bool[Rows * vocab];
                for (int r = 0; r < Rows; r++)
                    foreach (var id in prompts[r]) seenHost[r * vocab + id] = true;
                seen = tensor(seenHost, [Rows, vocab], device: device);
                onesColumn = ones([Rows, 1], ScalarType.Bool, device);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Rows { get; }

    /// <summary>Steps this session may take: the requested count, capped by the context left after the longest prompt.</summary>
    public int MaxNewTokens { get; }

    public int Steps { get; private set; }

    /// <summary>True when every row is finished or the step budget is spent.</summary>
    public bool IsDone => unfinished == 0 || Steps >= MaxNewTokens;

    public bool IsFinished(int row) => finished[row];

    /// <summary>Marks a row as done (eos, a stop string): it is still computed with the batch, but it no longer keeps the session going.</summary>
    public void Finish(int row)
    {
        if (finished[row]) return;
        finished[row] = true;
        unfinished--;
    }

    /// <summary>
    /// Runs one forward step (the prefill on the first call) and samples one id per row. Returns false,
    /// taking no step, once <see cref="IsDone"/>. The returned array is reused by the next step.
    /// Cancellation is checked before each step, so a cancelled session stops within one token.
    /// </summary>
    public bool TryStep(CancellationToken cancel, out long[] stepIds)
    {
        stepIds = ids;
        if (IsDone) return false;
        cancel.ThrowIfCancellationRequested();
        using var inference = inference_mode(); // lighter than no_grad: no version counters or view tracking
        using (var scope = NewDisposeScope())
        {
            var input = Steps == 0 ? prompt : next!.view(Rows, 1);
            var (logits, _) = model.Forward(input, Steps == 0 ? 0 : longest + Steps - 1, cache, lastOnly: true);
            var chosen = sampler.Next(logits.select(1, 0), seen);
            if (seen is not null) seen.scatter_(1, chosen.view(Rows, 1), onesColumn!);
            next?.Dispose();
            next = chosen.DetachFromDisposeScope();
            // the one host sync per token: the sampled ids
            using var host = next.device_type == DeviceType.CPU ? null : next.cpu();
            (host ?? next).data<long>().CopyTo(ids);
        }
        Steps++;
        return true;
    }

    public void Dispose()
    {
        next?.Dispose();
        cache?.Dispose();
        sampler?.Dispose();
        prompt?.Dispose();
        seen?.Dispose();
        onesColumn?.Dispose();
    }
}
