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

    /// <summary>Stores k, v (B, T, kv_heads, head_dim) at positions startPos.. and returns views of positions 0 .. startPos + T.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v, int startPos)
    {
        long t = k.shape[1];
        if (startPos + t > Capacity)
            throw new InvalidOperationException($"KV cache is full: position {startPos + t - 1} exceeds its capacity of {Capacity}.");
        keys[layer].narrow(1, startPos, t).copy_(k);
        values[layer].narrow(1, startPos, t).copy_(v);
        return (keys[layer].narrow(1, 0, startPos + t), values[layer].narrow(1, 0, startPos + t));
    }

    public void Dispose()
    {
        foreach (var t in keys) t.Dispose();
        foreach (var t in values) t.Dispose();
    }
}
