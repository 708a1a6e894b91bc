using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Engine.Interop.Gguf;

/// <summary>
/// A MiniMind model as a GGUF file llama.cpp runs: tensor and key names as llama.cpp's <c>gguf-py</c> constants name
/// them. A dense model is llama.cpp's <c>llama</c> architecture, whose rotary embedding rotates adjacent pairs exactly
/// as MiniMind2 does, so <c>wq</c>/<c>wk</c> go in unchanged. A mixture-of-experts model with its shared expert is
/// <c>bailingmoe</c>: the one architecture llama.cpp has with softmax routing, optional renormalisation of the picked
/// weights (MiniMind2's norm_topk_prob) and an ungated shared expert added to the routed ones; it rotates adjacent pairs
/// too (measured: the rotate-half reordering of <see cref="RotaryPermutation"/> changes its logits by 0.3 to 0.8), and
/// takes q, k and v fused into one matrix. A minimind3 model is <c>qwen3</c> (or <c>qwen3moe</c>), whose rotary
/// embedding rotates halves, as the current original's: q/k rows and the per-head norms go back to that order. The head is tied to the embedding: <c>llama</c> gets no output tensor (llama.cpp then reuses token_embd);
/// <c>bailingmoe</c> requires one, so it gets a copy.
/// </summary>
public static class GgufModelFile
{
    /// <summary>The architecture a config is written as: "llama" or "bailingmoe"; throws for one llama.cpp cannot run.</summary>
    public static string Architecture(MiniMindConfig config)
    {
        if (config.Family == MiniMindConfig.MiniMind3)
        {
            if (config.RopeScaling is not null)
                throw new ArgumentException("This model uses YaRN rotary scaling (inference_rope_scaling), which llama.cpp computes differently: export it with inference_rope_scaling off.");
            if (!config.UseMoe) return "qwen3";
            if (config.NSharedExperts || !config.NormalizesTopK)
                throw new ArgumentException("llama.cpp's qwen3moe has no shared expert and always renormalises the picked experts' weights: this mixture (a shared expert, or norm_topk_prob off) has no llama.cpp architecture.");
            return "qwen3moe";
        }
        if (!config.UseMoe) return "llama";
        if (!config.NSharedExperts)
            throw new ArgumentException(
                "A mixture-of-experts model without the shared expert has no llama.cpp architecture with the same routing: "
                + "GGUF export needs n_shared_experts (MiniMind2's MoE preset has it).");
        return "bailingmoe";
    }

    /// <summary>Writes the file; the state dict holds float32 CPU tensors under MiniMind2's names.</summary>
    public static void Write(string path, MiniMindConfig config, IReadOnlyDictionary<string, Tensor> state, GgufTokenizer tokenizer,
        GgmlType type, string name) => Write(path, config, state, tokenizer, type, name, knobs: null);

    internal static void Write(string path, MiniMindConfig config, IReadOnlyDictionary<string, Tensor> state, GgufTokenizer tokenizer,
        GgmlType type, string name, GgufTestKnobs? knobs)
    {
        var arch = Architecture(config);
        if (type == GgmlType.Q8_0 && (config.Dim % GgmlTypes.Q8BlockSize != 0 || config.FfnHiddenDim % GgmlTypes.Q8BlockSize != 0))
            throw new ArgumentException($"Q8_0 needs dim and the feed-forward size to be multiples of {GgmlTypes.Q8BlockSize} (dim {config.Dim}, hidden {config.FfnHiddenDim}): choose f16 or f32.");
        var gguf = new GgufWriter();
        gguf.Add("general.architecture", arch);
        gguf.Add("general.name", name);
        gguf.Add("general.file_type", type.FileType());
        if (type == GgmlType.Q8_0) gguf.Add("general.quantization_version", 2u);
        gguf.Add($"{arch}.vocab_size", (uint)config.VocabSize);
        gguf.Add($"{arch}.context_length", (uint)config.MaxSeqLen);
        gguf.Add($"{arch}.embedding_length", (uint)config.Dim);
        gguf.Add($"{arch}.block_count", (uint)config.NLayers);
        gguf.Add($"{arch}.feed_forward_length", (uint)config.FfnHiddenDim);
        gguf.Add($"{arch}.attention.head_count", (uint)config.NHeads);
        gguf.Add($"{arch}.attention.head_count_kv", (uint)config.KvHeads);
        gguf.Add($"{arch}.attention.layer_norm_rms_epsilon", (float)config.NormEps);
        gguf.Add($"{arch}.rope.freq_base", (float)config.RopeTheta);
        gguf.Add($"{arch}.rope.dimension_count", (uint)config.HeadDim);
        bool qwen3 = arch.StartsWith("qwen3", StringComparison.Ordinal);
        if (qwen3)
        {
            gguf.Add($"{arch}.attention.key_length", (uint)config.HeadDim);
            gguf.Add($"{arch}.attention.value_length", (uint)config.HeadDim);
        }
        if (arch == "qwen3moe")
        {
            gguf.Add($"{arch}.expert_count", (uint)config.NRoutedExperts);
            gguf.Add($"{arch}.expert_used_count", (uint)config.NumExpertsPerTok);
            gguf.Add($"{arch}.expert_feed_forward_length", (uint)config.FfnHiddenDim);
        }
        else if (config.UseMoe)
        {
            gguf.Add($"{arch}.expert_count", (uint)config.NRoutedExperts);
            gguf.Add($"{arch}.expert_used_count", (uint)config.NumExpertsPerTok);
            gguf.Add($"{arch}.expert_shared_count", 1u);
            gguf.Add($"{arch}.expert_feed_forward_length", (uint)config.FfnHiddenDim);
            gguf.Add($"{arch}.leading_dense_block_count", 0u);
            gguf.Add($"{arch}.expert_weights_scale", 1f);
            // MiniMind2 renormalises the picked weights only when it picks more than one (MoEGate)
            gguf.Add($"{arch}.expert_weights_norm", config.NormTopkProb && config.NumExpertsPerTok > 1);
        }
        tokenizer.WriteTo(gguf, knobs?.PreTokenizer ?? GgufTokenizer.PreTokenizer);

        Tensor Get(string key) => state.TryGetValue(key, out var t) ? t : throw new ArgumentException($"The model has no weight {key}.");
        void Add(string ggufName, Tensor weight, GgmlType t) => gguf.AddTensor(Encode(ggufName, weight, t));
        var matrixType = type;
        Add("token_embd.weight", Get("tok_embeddings.weight"), matrixType);
        Add("output_norm.weight", Get("norm.weight"), GgmlType.F32);
        if (arch == "bailingmoe") Add("output.weight", Get("output.weight"), matrixType); // bailingmoe requires the head, tied or not
        for (int i = 0; i < config.NLayers; i++)
        {
            string l = $"layers.{i}.", b = $"blk.{i}.";
            Add(b + "attn_norm.weight", Get(l + "attention_norm.weight"), GgmlType.F32);
            Add(b + "ffn_norm.weight", Get(l + "ffn_norm.weight"), GgmlType.F32);
            Add(b + "attn_output.weight", Get(l + "attention.wo.weight"), matrixType);
            Tensor q = Get(l + "attention.wq.weight"), k = Get(l + "attention.wk.weight"), v = Get(l + "attention.wv.weight");
            // qwen3 rotates halves (llama.cpp's NEOX rope): its q/k rows, and the per-head norms with them, are reordered
            bool halves = qwen3 != (knobs?.PermuteQk == true);
            using var qRows = halves ? RotaryPermutation.InterleavedToHalf(q, config.NHeads) : q.alias();
            using var kRows = halves ? RotaryPermutation.InterleavedToHalf(k, config.KvHeads) : k.alias();
            if (config.QkNorm)
            {
                Tensor qn = Get(l + "attention.q_norm.weight"), kn = Get(l + "attention.k_norm.weight");
                using var qNorm = halves ? RotaryPermutation.InterleavedToHalfVector(qn) : qn.alias();
                using var kNorm = halves ? RotaryPermutation.InterleavedToHalfVector(kn) : kn.alias();
                Add(b + "attn_q_norm.weight", qNorm, GgmlType.F32);
                Add(b + "attn_k_norm.weight", kNorm, GgmlType.F32);
            }
            if (arch == "bailingmoe")
            {
                using var qkv = cat([qRows, kRows, v], 0);
                Add(b + "attn_qkv.weight", qkv, matrixType);
            }
            else
            {
                Add(b + "attn_q.weight", qRows, matrixType);
                Add(b + "attn_k.weight", kRows, matrixType);
                Add(b + "attn_v.weight", v, matrixType);
            }
            if (!config.UseMoe)
            {
                Add(b + "ffn_gate.weight", Get(l + "feed_forward.w1.weight"), matrixType);
                Add(b + "ffn_down.weight", Get(l + "feed_forward.w2.weight"), matrixType);
                Add(b + "ffn_up.weight", Get(l + "feed_forward.w3.weight"), matrixType);
                continue;
            }
            Add(b + "ffn_gate_inp.weight", Get(l + "feed_forward.gate.weight"), GgmlType.F32); // the router stays exact
            foreach (var (part, ggufPart) in new[] { ("w1", "gate"), ("w2", "down"), ("w3", "up") })
            {
                using var experts = stack(Enumerable.Range(0, config.NRoutedExperts).Select(e => Get($"{l}feed_forward.experts.{e}.{part}.weight")).ToArray());
                Add($"{b}ffn_{ggufPart}_exps.weight", experts, matrixType);
                if (config.NSharedExperts) Add($"{b}ffn_{ggufPart}_shexp.weight", Get($"{l}feed_forward.shared_experts.{part}.weight"), matrixType);
            }
        }
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        gguf.Write(stream);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>A weight in a ggml type; its shape reversed (PyTorch's last dimension is ggml's ne[0]).</summary>
    static GgufTensor Encode(string name, Tensor weight, GgmlType type)
    {
        var shape = weight.shape.Reverse().ToArray();
        if (type == GgmlType.Q8_0 && shape[0] % GgmlTypes.Q8BlockSize != 0) type = GgmlType.F16;
        using var contiguous = weight.to(ScalarType.Float32).cpu().contiguous();
        var values = contiguous.data<float>().ToArray();
        return new GgufTensor(name, shape, type, GgmlTypes.Encode(values, type));
    }
}

/// <summary>Deliberate mistakes, for the tests' negative controls only: they show the llama.cpp check can fail.</summary>
internal sealed record GgufTestKnobs(bool PermuteQk = false, string? PreTokenizer = null);
