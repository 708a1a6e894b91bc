using static TorchSharp.torch;

namespace MiniMind.Engine.Interop;

/// <summary>
/// Converts q/k projection weights between MiniMind2's interleaved rotary layout (pairs (2i, 2i+1) of a
/// head rotate together) and the rotate-half layout of transformers' Llama and the newer MiniMind (pairs
/// (i, i + head_dim/2)). Both rotate pair i by the same angle pos * theta^(-2i/head_dim), and q.k is
/// unchanged when q and k rows are reordered alike, so reordering each head's output rows is exact:
/// the model is not changed, only where its rows live. This is transformers'
/// <c>convert_llama_weights_to_hf.py</c> <c>permute</c>:
/// <c>w.view(n_heads, dim1 // n_heads // 2, 2, dim2).transpose(1, 2).reshape(dim1, dim2)</c>.
/// </summary>
public static class RotaryPermutation
{
    /// <summary>Interleaved (MiniMind2) rows -> rotate-half (Llama) rows: half-layout row c*h/2 + i = interleaved row 2i + c.</summary>
    public static Tensor InterleavedToHalf(Tensor weight, int heads)
    {
        var (rows, cols, half) = Sizes(weight, heads);
        return weight.view(heads, half, 2, cols).transpose(1, 2).reshape(rows, cols).contiguous();
    }

    /// <summary>Rotate-half (Llama) rows -> interleaved (MiniMind2) rows: the inverse of <see cref="InterleavedToHalf"/>.</summary>
    public static Tensor HalfToInterleaved(Tensor weight, int heads)
    {
        var (rows, cols, half) = Sizes(weight, heads);
        return weight.view(heads, 2, half, cols).transpose(1, 2).reshape(rows, cols).contiguous();
    }

    /// <summary>A head_dim vector (minimind3's q_norm/k_norm weight) in the interleaved order of the rows it scales.</summary>
    public static Tensor HalfToInterleavedVector(Tensor weight)
    {
        using var column = weight.unsqueeze(1);
        using var reordered = HalfToInterleaved(column, 1);
        return reordered.squeeze(1).contiguous();
    }

    /// <summary>The inverse of <see cref="HalfToInterleavedVector"/>.</summary>
    public static Tensor InterleavedToHalfVector(Tensor weight)
    {
        using var column = weight.unsqueeze(1);
        using var reordered = InterleavedToHalf(column, 1);
        return reordered.squeeze(1).contiguous();
    }

    static (long Rows, long Cols, long Half) Sizes(Tensor weight, int heads)
    {
        if (weight.dim() != 2) throw new ArgumentException($"A q/k projection weight must be 2-D; got [{string.Join(", ", weight.shape)}].");
        long rows = weight.shape[0], cols = weight.shape[1];
        if (heads <= 0 || rows % heads != 0 || rows / heads % 2 != 0)
            throw new ArgumentException($"A q/k projection with {rows} rows cannot be split into {heads} heads of even size.");
        return (rows, cols, rows / heads / 2);
    }
}
