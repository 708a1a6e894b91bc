using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MiniMind.Engine.Model;

/// <summary>
/// Causal self-attention with grouped-query heads (Ainslie et al. 2023): n_kv_heads key/value heads,
/// each shared by n_heads / n_kv_heads query heads; rotary positions; scaled-dot-product attention.
/// Parameters wq, wk, wv, wo as in MiniMind2's <c>Attention</c>; with <see cref="MiniMindConfig.QkNorm"/> (minimind3) an
/// RMSNorm over each head's queries (q_norm) and keys (k_norm) before the rotation, as Qwen3 and the current original.
/// </summary>
public sealed class Attention : nn.Module
{
    readonly int nHeads, nKvHeads, headDim;
    readonly double dropout;
    readonly Projection wq, wk, wv, wo;
    [ComponentName(Name = "q_norm")] readonly RMSNorm? qNorm;
    [ComponentName(Name = "k_norm")] readonly RMSNorm? kNorm;

    public Attention(MiniMindConfig config) : base(nameof(Attention))
    {
        nHeads = config.NHeads;
        nKvHeads = config.KvHeads;
        headDim = config.HeadDim;
        dropout = config.Dropout;
        wq = new Projection(config.Dim, nHeads * headDim);
        wk = new Projection(config.Dim, nKvHeads * headDim);
        wv = new Projection(config.Dim, nKvHeads * headDim);
        wo = new Projection(nHeads * headDim, config.Dim);
        register_module("wq", wq);
        register_module("wk", wk);
        register_module("wv", wv);
        register_module("wo", wo);
        if (config.QkNorm)
        {
            qNorm = new RMSNorm(headDim, config.NormEps);
            kNorm = new RMSNorm(headDim, config.NormEps);
            register_module("q_norm", qNorm);
            register_module("k_norm", kNorm);
        }
    }

    /// <summary>x (B, T, dim) at positions startPos.. -> (B, T, dim). With a cache, attends to every earlier cached position.</summary>
    public Tensor Forward(Tensor x, RotaryEmbedding rope, int startPos, KVCache? cache, int layer)
    {
        var shape = x.shape; // one native call (each shape or size(i) is one)
        long b = shape[0], t = shape[1];
        if (t == 1 && cache is not null)
            return DecodeStep(x, b, rope, startPos, cache, layer);
        using var scope = NewDisposeScope();
        // rows of different lengths (left-padded in the cache) carry their own positions and mask
        var positions = cache?.RowPositions(startPos, t);
        var q = wq.forward(x).view(b, t, nHeads, headDim);
        var k = wk.forward(x).view(b, t, nKvHeads, headDim);
        if (qNorm is not null)
        {
            q = qNorm.forward(q);
            k = kNorm!.forward(k);
        }
        q = positions is null ? rope.Apply(q, startPos) : rope.Apply(q, positions);
        k = positions is null ? rope.Apply(k, startPos) : rope.Apply(k, positions);
        var v = wv.forward(x).view(b, t, nKvHeads, headDim);
        if (cache is not null)
            (k, v) = cache.Append(layer, k, v, startPos);
        else if (startPos != 0)
            throw new ArgumentException("A start position other than 0 needs a KV cache holding the earlier positions.");

        double p = dropout > 0 && training ? dropout : 0.0; // dropout first: `training` is a native call
        var paddingMask = cache?.PaddingMask(startPos, t);
        // (B, heads, T, head_dim); keys and values repeated to every query head of their group
        var qh = q.transpose(1, 2);
        var kh = RepeatKv(k).transpose(1, 2);
        var vh = RepeatKv(v).transpose(1, 2);
        Tensor heads;
        if (paddingMask is not null)
            heads = F.scaled_dot_product_attention(qh, kh, vh, paddingMask, p: p);
        else if (startPos == 0)
            heads = F.scaled_dot_product_attention(qh, kh, vh, p: p, is_casual: true);
        else
        {
            // several new tokens after a cached prefix: query i (position startPos + i) sees keys 0 .. startPos + i
            long s = kh.shape[2];
            var mask = arange(s, device: x.device).unsqueeze(0) <= (arange(t, device: x.device) + startPos).unsqueeze(1);
            heads = F.scaled_dot_product_attention(qh, kh, vh, mask, p: p);
        }
        var attended = heads.transpose(1, 2).reshape(b, t, nHeads * headDim);
        var output = wo.forward(attended);
        if (p > 0) output = F.dropout(output, p, training);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One new token per row after the cache: every decoding step takes this one path. The query heads of each group
    /// attend to their group's keys together, (B, kv_heads, n_rep, head_dim) against (B, kv_heads, S, head_dim), so the
    /// cached keys and values are never repeated per query head (a copy that would grow with the sequence every token).
    /// Rows of different lengths (left-padded in the cache) bring their own positions and a mask; batch 1 has neither,
    /// and makes the fewest native calls, since at batch 1 on a GPU each call's host cost, not the math, bounds the
    /// tokens per second. Temporaries are freed as they go instead of through a dispose scope.
    /// </summary>
    Tensor DecodeStep(Tensor x, long b, RotaryEmbedding rope, int startPos, KVCache cache, int layer)
    {
        double p = dropout > 0 && training ? dropout : 0.0; // dropout first: `training` is a native call
        using var qFlat = wq.forward(x);
        using var kFlat = wk.forward(x);
        using var vFlat = wv.forward(x);
        using var qView = qFlat.view(b, 1, nHeads, headDim);
        using var kView = kFlat.view(b, 1, nKvHeads, headDim);
        using var qNormed = qNorm?.forward(qView);
        using var kNormed = kNorm?.forward(kView);
        var qHeads = qNormed ?? qView;
        var kHeads = kNormed ?? kView;
        Tensor q, k;
        using (var positions = cache.RowPositions(startPos, 1))
            (q, k) = positions is null ? rope.Apply(qHeads, kHeads, startPos) : (rope.Apply(qHeads, positions), rope.Apply(kHeads, positions));
        using var _q = q;
        using var _k = k;
        using var v = vFlat.view(b, 1, nKvHeads, headDim);
        var (keys, values) = cache.Append(layer, k, v, startPos);
        using var _keys = keys;
        using var _values = values;
        using var grouped = q.view(b, nKvHeads, nHeads / nKvHeads, headDim);
        using var keysByHead = keys.transpose(1, 2);
        using var valuesByHead = values.transpose(1, 2);
        using var mask = cache.PaddingMask(startPos, 1); // (B, 1, 1, S): broadcast over the groups' query heads
        using var heads = F.scaled_dot_product_attention(grouped, keysByHead, valuesByHead, mask, p: p);
        using var attended = heads.reshape(b, 1, nHeads * headDim);
        if (p == 0) return wo.forward(attended);
        using var output = wo.forward(attended);
        return F.dropout(output, p, training);
    }

    /// <summary>(B, S, kv_heads, head_dim) -> (B, S, n_heads, head_dim): kv head j serves query heads j*n_rep .. (j+1)*n_rep - 1.</summary>
    Tensor RepeatKv(Tensor kv)
    {
        int nRep = nHeads / nKvHeads;
        if (nRep == 1) return kv;
        long b = kv.shape[0], s = kv.shape[1];
        return kv.unsqueeze(3).expand(b, s, nKvHeads, nRep, headDim).reshape(b, s, nHeads, headDim);
    }
}
