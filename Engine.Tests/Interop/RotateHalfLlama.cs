using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MiniMind.Engine.Tests.Interop;

/// <summary>
/// An independent forward pass of transformers' LlamaForCausalLM (modeling_llama.py, eager attention) over
/// Llama-named tensors and a config.json: rotate-half rotary embedding (<c>cos = cat(freqs, freqs)</c>,
/// <c>q * cos + rotate_half(q) * sin</c>), grouped-query attention, SwiGLU, RMSNorm, tied head. It shares
/// no code with the engine's model, so logits equal to the original's prove the exported names, q/k row
/// order and config fields are what transformers needs.
/// </summary>
public static class RotateHalfLlama
{
    public static Tensor Logits(IReadOnlyDictionary<string, Tensor> w, JsonElement config, Tensor ids)
    {
        using var scope = NewDisposeScope();
        int dim = config.GetProperty("hidden_size").GetInt32();
        int heads = config.GetProperty("num_attention_heads").GetInt32();
        int kvHeads = config.GetProperty("num_key_value_heads").GetInt32();
        int layers = config.GetProperty("num_hidden_layers").GetInt32();
        int headDim = config.GetProperty("head_dim").GetInt32();
        double eps = config.GetProperty("rms_norm_eps").GetDouble();
        double theta = config.GetProperty("rope_theta").GetDouble();
        long b = ids.shape[0], t = ids.shape[1];

        var invFreq = 1.0 / pow(theta, arange(0, headDim, 2, dtype: ScalarType.Int64).to(ScalarType.Float32) / headDim);
        var freqs = outer(arange(t, dtype: ScalarType.Float32), invFreq);
        var emb = cat([freqs, freqs], -1);
        var cos = emb.cos().view(1, 1, t, headDim);
        var sin = emb.sin().view(1, 1, t, headDim);
        var causal = ones(t, t, dtype: ScalarType.Bool).tril();

        var embed = w["model.embed_tokens.weight"];
        var h = embed.index_select(0, ids.reshape(-1)).view(b, t, dim);
        for (int i = 0; i < layers; i++)
        {
            string p = $"model.layers.{i}.";
            var x = RmsNorm(h, w[p + "input_layernorm.weight"], eps);
            var q = F.linear(x, w[p + "self_attn.q_proj.weight"]).view(b, t, heads, headDim).transpose(1, 2);
            var k = F.linear(x, w[p + "self_attn.k_proj.weight"]).view(b, t, kvHeads, headDim).transpose(1, 2);
            var v = F.linear(x, w[p + "self_attn.v_proj.weight"]).view(b, t, kvHeads, headDim).transpose(1, 2);
            q = q * cos + RotateHalf(q) * sin;
            k = k * cos + RotateHalf(k) * sin;
            k = k.repeat_interleave(heads / kvHeads, 1);
            v = v.repeat_interleave(heads / kvHeads, 1);
            var scores = q.matmul(k.transpose(2, 3)) / Math.Sqrt(headDim);
            scores = scores.masked_fill(causal.logical_not(), double.NegativeInfinity);
            var attended = scores.softmax(-1).matmul(v).transpose(1, 2).reshape(b, t, heads * headDim);
            h = h + F.linear(attended, w[p + "self_attn.o_proj.weight"]);
            x = RmsNorm(h, w[p + "post_attention_layernorm.weight"], eps);
            h = h + F.linear(F.silu(F.linear(x, w[p + "mlp.gate_proj.weight"])) * F.linear(x, w[p + "mlp.up_proj.weight"]), w[p + "mlp.down_proj.weight"]);
        }
        h = RmsNorm(h, w["model.norm.weight"], eps);
        // tie_word_embeddings: lm_head is the embedding when the file has no lm_head.weight
        var head = w.TryGetValue("lm_head.weight", out var lmHead) ? lmHead : embed;
        return F.linear(h, head).MoveToOuterDisposeScope();
    }

    static Tensor RotateHalf(Tensor x)
    {
        long half = x.shape[^1] / 2;
        return cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
    }

    static Tensor RmsNorm(Tensor x, Tensor weight, double eps) => weight * (x * rsqrt(x.pow(2).mean([-1L], keepdim: true) + eps));
}
