using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Model;

/// <summary>
/// Rotary position embedding (Su et al. 2021, RoFormer), optionally YaRN-scaled, in MiniMind2's interleaved complex form
/// (the current original rotates halves instead; its q/k rows are reordered on import, which is exact):
/// adjacent pairs (x[2i], x[2i+1]) of each head are rotated by angle pos * theta^(-2i/head_dim).
/// The angles are computed in fp32 up to max_seq_len, exactly as the seed's <c>precompute_pos_cis</c>;
/// the tables are kept full width and interleaved, C = [c0, c0, c1, c1, ..] and S = [-s0, s0, -s1, s1, ..],
/// so a rotation is <c>x * C + swap_pairs(x) * S</c> (swap_pairs: x[2i] and x[2i+1] exchanged): element for
/// element the seed's <c>re*c - im*s, re*s + im*c</c> (negation is exact), in 4 native ops instead of ~15.
/// Per decoded token every op costs host time, and this runs twice per layer. Non-persistent buffers
/// (not part of the state dict).
/// </summary>
public sealed class RotaryEmbedding : nn.Module
{
    // field names equal the buffer names: TorchSharp's to(device) puts the moved tensors back into these fields
    readonly Tensor cos, sin; // (max_seq_len, 1, head_dim): C and S above, broadcast over heads
    readonly Tensor swap;     // (head_dim) int64: 1, 0, 3, 2, ..: the index that exchanges each pair

    /// <param name="scaling">YaRN: each pair's frequency f becomes f * ((1 - r) + r / factor), r a linear ramp over the
    /// pairs between the beta_fast and beta_slow wavelengths, and the tables are scaled by the attention factor, as the
    /// current original's <c>precompute_freqs_cis</c> computes them (in fp32).</param>
    public RotaryEmbedding(int headDim, int maxSeqLen, double theta, YarnScaling? scaling = null) : base(nameof(RotaryEmbedding))
    {
        using var scope = NewDisposeScope();
        // every Scalar argument is held in a local until the end (KeptScalars says why: an implicit one can be finalized
        // while libtorch reads it; two models loading at once in Compare made this constructor fail so)
        using var dim = ((float)headDim).ToScalar();
        var exponents = arange(0, headDim, 2, dtype: ScalarType.Float32)[..(headDim / 2)] / dim;
        // 1 / x as PyTorch's __rtruediv__ computes it: reciprocal (then * 1.0, which changes nothing)
        var inverseFreq = pow(tensor((float)theta), exponents).reciprocal();
        if (scaling is { } yarn && maxSeqLen / (double)yarn.OriginalMaxPositions > 1.0)
        {
            double InverseDim(double beta) => headDim * Math.Log(yarn.OriginalMaxPositions / (beta * 2 * Math.PI)) / (2 * Math.Log(theta));
            double low = Math.Max(Math.Floor(InverseDim(yarn.BetaFast)), 0), high = Math.Min(Math.Ceiling(InverseDim(yarn.BetaSlow)), headDim / 2 - 1);
            using var lowS = low.ToScalar();
            using var widthS = Math.Max(high - low, 0.001).ToScalar();
            using var zero = 0.ToScalar();
            using var one = 1.ToScalar();
            using var factor = yarn.Factor.ToScalar();
            var ramp = ((arange(headDim / 2, dtype: ScalarType.Float32) - lowS) / widthS).clamp(zero, one);
            inverseFreq = inverseFreq * (one - ramp + ramp / factor);
        }
        var angles = outer(arange(maxSeqLen, dtype: ScalarType.Float32), inverseFreq); // (max_seq_len, head_dim / 2)
        var c = angles.cos();
        var s = angles.sin();
        if (scaling is { AttentionFactor: not 1.0 } scaled)
        {
            using var attention = scaled.AttentionFactor.ToScalar();
            c = c * attention;
            s = s * attention;
        }
        cos = stack([c, c], -1).view(maxSeqLen, 1, headDim).DetachFromDisposeScope();
        sin = stack([-s, s], -1).view(maxSeqLen, 1, headDim).DetachFromDisposeScope();
        swap = arange(headDim, dtype: ScalarType.Int64).view(headDim / 2, 2).flip(-1).reshape(headDim).DetachFromDisposeScope();
        register_buffer("cos", cos, persistent: false);
        register_buffer("sin", sin, persistent: false);
        register_buffer("swap", swap, persistent: false);
    }

    public int MaxSeqLen => (int)cos.shape[0];

    /// <summary>
    /// The tables' dtype: fp32 also after the weights are converted (ConvertWeightsForInference), since TorchSharp's
    /// Module.to(dtype) leaves non-persistent buffers as they are (tested); a rotation always runs in fp32, and bf16
    /// tables would round the angles' cosines to three digits.
    /// </summary>
    internal ScalarType TableType => cos.dtype;

    /// <summary>Rotates x (B, T, heads, head_dim) for positions startPos .. startPos + T - 1.</summary>
    public Tensor Apply(Tensor x, int startPos)
    {
        long t = x.size(1);
        if (startPos + t > MaxSeqLen)
            throw new ArgumentException($"Position {startPos + t - 1} is beyond max_seq_len {MaxSeqLen}.");
        using var c = cos.narrow(0, startPos, t);
        using var s = sin.narrow(0, startPos, t);
        return Rotate(x, c, s);
    }

    /// <summary>Rotates queries and keys (B, T, heads, head_dim; head counts may differ) for the same positions, cutting the tables once.</summary>
    public (Tensor Q, Tensor K) Apply(Tensor q, Tensor k, int startPos)
    {
        long t = q.size(1);
        if (startPos + t > MaxSeqLen)
            throw new ArgumentException($"Position {startPos + t - 1} is beyond max_seq_len {MaxSeqLen}.");
        using var c = cos.narrow(0, startPos, t);
        using var s = sin.narrow(0, startPos, t);
        return (Rotate(q, c, s), Rotate(k, c, s));
    }

    /// <summary>Rotates x (B, T, heads, head_dim) at each row's own positions (B, T) (rows of a left-padded batch).</summary>
    public Tensor Apply(Tensor x, Tensor positions)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1], d = x.shape[3];
        var flat = positions.reshape(-1);
        var c = cos.index_select(0, flat).view(b, t, 1, d);
        var s = sin.index_select(0, flat).view(b, t, 1, d);
        return Rotate(x, c, s).MoveToOuterDisposeScope();
    }

    /// <summary>x * C + swap_pairs(x) * S in fp32 (as the seed's complex product), returned in x's dtype.</summary>
    Tensor Rotate(Tensor x, Tensor c, Tensor s)
    {
        // bf16 x times the fp32 tables promotes to fp32, and bf16 -> fp32 is exact: the rotation runs in fp32
        // without a cast of x first (one native call fewer per tensor on the bf16 serving path)
        using var swapped = x.index_select(-1, swap);
        using var straight = x * c;
        if (x.dtype == ScalarType.Float32)
        {
            swapped.mul_(s);
            return straight + swapped;
        }
        using var swappedScaled = swapped * s; // not in place: that would round to bf16
        straight.add_(swappedScaled);
        return straight.to(x.dtype);
    }
}
