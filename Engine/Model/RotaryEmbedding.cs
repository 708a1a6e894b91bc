using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Model;

/// <summary>
/// Rotary position embedding (Su et al. 2021, RoFormer) in MiniMind2's interleaved complex form:
/// adjacent pairs (x[2i], x[2i+1]) of each head are rotated by angle pos * theta^(-2i/head_dim).
/// The cos/sin tables are precomputed in fp32 up to max_seq_len, exactly as the seed's
/// <c>precompute_pos_cis</c>, and kept as non-persistent buffers (not part of the state dict).
/// </summary>
public sealed class RotaryEmbedding : nn.Module
{
    readonly Tensor cos, sin; // (max_seq_len, head_dim / 2)

    public RotaryEmbedding(int headDim, int maxSeqLen, double theta) : base(nameof(RotaryEmbedding))
    {
        using var scope = NewDisposeScope();
        var exponents = arange(0, headDim, 2, dtype: ScalarType.Float32)[..(headDim / 2)] / headDim;
        var inverseFreq = 1.0f / pow(tensor((float)theta), exponents);
        var angles = outer(arange(maxSeqLen, dtype: ScalarType.Float32), inverseFreq);
        cos = angles.cos().DetachFromDisposeScope();
        sin = angles.sin().DetachFromDisposeScope();
        register_buffer("cos", cos, persistent: false);
        register_buffer("sin", sin, persistent: false);
    }

    public int MaxSeqLen => (int)cos.shape[0];

    /// <summary>Rotates x (B, T, heads, head_dim) for positions startPos .. startPos + T - 1.</summary>
    public Tensor Apply(Tensor x, int startPos)
    {
        using var scope = NewDisposeScope();
        long t = x.shape[1], half = x.shape[3] / 2;
        if (startPos + t > MaxSeqLen)
            throw new ArgumentException($"Position {startPos + t - 1} is beyond max_seq_len {MaxSeqLen}.");
        return Rotate(x, cos.narrow(0, startPos, t).view(1, t, 1, half), sin.narrow(0, startPos, t).view(1, t, 1, half))
            .MoveToOuterDisposeScope();
    }

    /// <summary>Rotates x (B, T, heads, head_dim) at each row's own positions (B, T) (rows of a left-padded batch).</summary>
    public Tensor Apply(Tensor x, Tensor positions)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1], half = x.shape[3] / 2;
        var flat = positions.reshape(-1);
        var c = cos.index_select(0, flat).view(b, t, 1, half);
        var s = sin.index_select(0, flat).view(b, t, 1, half);
        return Rotate(x, c, s).MoveToOuterDisposeScope();
    }

    static Tensor Rotate(Tensor x, Tensor c, Tensor s)
    {
        long b = x.shape[0], t = x.shape[1], h = x.shape[2], half = x.shape[3] / 2;
        var pairs = x.to(ScalarType.Float32).view(b, t, h, half, 2);
        var re = pairs.select(-1, 0);
        var im = pairs.select(-1, 1);
        var rotated = stack([re * c - im * s, re * s + im * c], -1).flatten(3);
        return rotated.to(x.dtype);
    }
}
