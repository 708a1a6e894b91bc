using MiniMind.Engine.Runtime;
using static TorchSharp.torch;

namespace MiniMind.Engine.Model;

/// <summary>
/// Keys and values of every layer for incremental decoding, allocated once for a whole sequence
/// (capacity positions) and written in place, never grown by concatenation per token.
/// Owns its tensors: dispose it when the sequence is done.
/// </summary>
public sealed class KVCache : IDisposable
{
    readonly Tensor[] keys, values; // per layer: (B, capacity, kv_heads, head_dim)
    Tensor? validSlots;   // (B, capacity) bool: false at a row's left padding; null when no row is padded
    Tensor? padCounts;    // (B, 1) int64: left padding of each row

    public KVCache(MiniMindConfig config, long batch, int capacity, Device device, ScalarType dtype)
    {
        if (capacity <= 0 || capacity > config.MaxSeqLen)
            throw new ArgumentException($"KV cache capacity must be in 1..max_seq_len ({config.MaxSeqLen}); got {capacity}.");
        Capacity = capacity;
        keys = new Tensor[config.NLayers];
        values = new Tensor[config.NLayers];
        for (int i = 0; i < config.NLayers; i++)
        {
            keys[i] = zeros([batch, capacity, config.KvHeads, config.HeadDim], dtype, device).DetachFromDisposeScope();
            values[i] = zeros([batch, capacity, config.KvHeads, config.HeadDim], dtype, device).DetachFromDisposeScope();
        }
    }

    public int Capacity { get; }

    /// <summary>
    /// Rows of different lengths in one batch: row r's first <paramref name="padding"/>[r] slots hold padding.
    /// Its real tokens then sit at slots pad.. but at rotary positions 0.. (as if alone), and no query
    /// attends to padding, so each row decodes as it would unbatched.
    /// </summary>
    public void SetLeftPadding(IReadOnlyList<int> padding)
    {
        var device = keys[0].device;
        long batch = keys[0].shape[0];
        if (padding.Count != batch) throw new ArgumentException($"Padding has {padding.Count} rows; the cache holds {batch}.");
        validSlots?.Dispose();
        padCounts?.Dispose();
        validSlots = padCounts = null;
        if (padding.All(p => p == 0)) return;
        using var scope = NewDisposeScope();
        var pads = tensor(padding.Select(p => (long)p).ToArray(), [batch, 1], ScalarType.Int64, device);
        validSlots = (arange(Capacity, ScalarType.Int64, device).unsqueeze(0) >= pads).DetachFromDisposeScope();
        padCounts = pads.DetachFromDisposeScope();
    }

    /// <summary>True when some row is left-padded (rows then carry their own positions and a mask).</summary>
    public bool IsPadded => padCounts is not null;

    /// <summary>Rotary positions (B, T) of slots startPos.. when rows are padded (slot minus the row's padding), else null.</summary>
    public Tensor? RowPositions(int startPos, long t)
    {
        if (padCounts is null) return null;
        return (arange(startPos, startPos + t, 1, ScalarType.Int64, padCounts.device).unsqueeze(0) - padCounts).clamp_min(KeptScalars.ZeroLong);
    }

    /// <summary>
    /// The attention mask (B, 1, T, startPos + T) of queries at slots startPos.. when rows are padded, else null:
    /// causal, padding hidden, and each query's own slot always visible (a padding query with nothing else
    /// to see would otherwise softmax over nothing and write NaN into the cache).
    /// </summary>
    public Tensor? PaddingMask(int startPos, long t)
    {
        if (validSlots is null) return null;
        long s = startPos + t;
        long batch = validSlots.shape[0];
        var visible = validSlots.narrow(1, 0, s).view(batch, 1, 1, s);
        if (t == 1) return visible; // one new token after the cache: a view, nothing allocated per step
        using var scope = NewDisposeScope();
        var slots = arange(s, ScalarType.Int64, validSlots.device).unsqueeze(0);
        var queries = arange(startPos, s, 1, ScalarType.Int64, validSlots.device).unsqueeze(1);
        var causal = slots <= queries;
        var own = slots == queries; // each query's own slot, so a padding query still attends to something
        return ((visible & causal) | own).MoveToOuterDisposeScope();
    }

    /// <summary>Stores k, v (B, T, kv_heads, head_dim) at positions startPos.. and returns views of positions 0 .. startPos + T.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v, int startPos)
    {
        long t = k.size(1);
        if (startPos + t > Capacity)
            throw new InvalidOperationException($"KV cache is full: position {startPos + t - 1} exceeds its capacity of {Capacity}.");
        using (var slots = keys[layer].narrow(1, startPos, t)) slots.copy_(k);
        using (var slots = values[layer].narrow(1, startPos, t)) slots.copy_(v);
        return (keys[layer].narrow(1, 0, startPos + t), values[layer].narrow(1, 0, startPos + t));
    }

    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
        validSlots?.Dispose();
        padCounts?.Dispose();
    }
}
