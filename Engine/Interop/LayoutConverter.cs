using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Engine.Interop;

/// <summary>
/// Renames and reorders whole state dicts between <see cref="WeightLayout.MiniMind"/> and
/// <see cref="WeightLayout.Transformers"/>: names through <see cref="LlamaNames"/>, q/k rows through
/// <see cref="RotaryPermutation"/>, and the tied embedding/output matrix (MiniMind2 stores it under both
/// names; transformers writes only <c>model.embed_tokens.weight</c> for a tied model).
/// </summary>
public static class LayoutConverter
{
    /// <summary>
    /// Buffers some writers persist that are recomputed from the config, never weights: rotary tables
    /// (old transformers' <c>rotary_emb.inv_freq</c>, the seed's <c>pos_cis</c>, the newer MiniMind's <c>freqs_cos/sin</c>).
    /// </summary>
    static readonly string[] DerivedBuffers = ["rotary_emb.inv_freq", "pos_cis", "freqs_cos", "freqs_sin"];

    public static bool IsDerivedBuffer(string name) => DerivedBuffers.Any(b => name == b || name.EndsWith("." + b, StringComparison.Ordinal));

    /// <summary>Which layout the names say, or an error naming the file and a few of its tensors.</summary>
    public static WeightLayout Detect(IEnumerable<string> names, string source)
    {
        var list = names.Where(n => !IsDerivedBuffer(n)).ToList();
        if (list.Any(n => n.StartsWith("model.", StringComparison.Ordinal) || n.StartsWith("lm_head.", StringComparison.Ordinal)))
            return WeightLayout.Transformers;
        if (list.Any(n => n.StartsWith("tok_embeddings.", StringComparison.Ordinal) || n.StartsWith("layers.", StringComparison.Ordinal)))
            return WeightLayout.MiniMind;
        throw new InvalidDataException(
            $"{source}: neither MiniMind (tok_embeddings, layers.N.attention.wq, ...) nor transformers (model.embed_tokens, model.layers.N.self_attn.q_proj, ...) tensor names; " +
            $"found {string.Join(", ", list.Take(5))}{(list.Count > 5 ? ", ..." : "")}.");
    }

    /// <summary>
    /// Transformers names to MiniMind names, without reordering rows (the head count may not be known yet).
    /// Derived buffers are dropped; an unknown name is an error naming it.
    /// </summary>
    public static Dictionary<string, Tensor> RenameToMiniMind(IReadOnlyDictionary<string, Tensor> transformers, string source)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, t) in transformers)
        {
            if (IsDerivedBuffer(name)) continue;
            var mapped = LlamaNames.ToMiniMind(name)
                         ?? throw new InvalidDataException($"{source}: tensor {name} has no counterpart in a MiniMind model (not a Llama, Qwen3 or MiniMind weight this model has).");
            if (!result.TryAdd(mapped, t))
                throw new InvalidDataException($"{source}: tensors map twice onto {mapped} (e.g. both shared_experts.gate_proj and shared_experts.0.gate_proj).");
        }
        TieEmbedding(result, source);
        return result;
    }

    /// <summary>A MiniMind-layout state dict without derived buffers and with both tied names present.</summary>
    public static Dictionary<string, Tensor> CleanMiniMind(IReadOnlyDictionary<string, Tensor> miniMind, string source)
    {
        var result = miniMind.Where(kv => !IsDerivedBuffer(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        TieEmbedding(result, source);
        return result;
    }

    /// <summary>
    /// The rotate-half q/k rows of a renamed transformers state dict put back in MiniMind2's interleaved
    /// order, in place. The shapes are checked first so the error names the tensor, not a view failure.
    /// </summary>
    public static void ReorderToInterleaved(Dictionary<string, Tensor> miniMind, MiniMindConfig config, string source)
    {
        foreach (var name in miniMind.Keys.ToList())
        {
            if (LlamaNames.IsHeadNorm(name))
            {
                var norm = miniMind[name];
                if (norm.dim() != 1 || norm.shape[0] != config.HeadDim)
                    throw new InvalidDataException($"{source}: tensor {LlamaNames.ToTransformers(name)} has shape [{string.Join(", ", norm.shape)}], the config expects [{config.HeadDim}] (head_dim).");
                miniMind[name] = RotaryPermutation.HalfToInterleavedVector(norm);
                continue;
            }
            int heads = LlamaNames.IsQuery(name) ? config.NHeads : LlamaNames.IsKey(name) ? config.KvHeads : 0;
            if (heads == 0) continue;
            var t = miniMind[name];
            long rows = (long)heads * config.HeadDim;
            if (t.dim() != 2 || t.shape[0] != rows || t.shape[1] != config.Dim)
                throw new InvalidDataException(
                    $"{source}: tensor {LlamaNames.ToTransformers(name)} has shape [{string.Join(", ", t.shape)}], the config expects [{rows}, {config.Dim}] ({heads} heads of {config.HeadDim}).");
            miniMind[name] = RotaryPermutation.HalfToInterleaved(t, heads);
        }
    }

    /// <summary>
    /// A MiniMind2 state dict (float32, CPU) as transformers Llama tensors in a stable order (embedding,
    /// layers, final norm), q/k rows in rotate-half order. <c>output.weight</c> is left out: the model is tied
    /// and transformers' own save_pretrained writes only the embedding for a tied model.
    /// </summary>
    public static List<KeyValuePair<string, Tensor>> ToTransformers(IReadOnlyDictionary<string, Tensor> miniMind, MiniMindConfig config)
    {
        var result = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, t) in miniMind.OrderBy(kv => SortKey(kv.Key), StringComparer.Ordinal))
        {
            if (name == "output.weight") continue;
            var mapped = LlamaNames.ToTransformers(name)
                         ?? throw new InvalidOperationException($"Tensor {name} has no transformers Llama name.");
            var value = LlamaNames.IsQuery(name) ? RotaryPermutation.InterleavedToHalf(t, config.NHeads)
                : LlamaNames.IsKey(name) ? RotaryPermutation.InterleavedToHalf(t, config.KvHeads)
                : LlamaNames.IsHeadNorm(name) ? RotaryPermutation.InterleavedToHalfVector(t)
                : t.contiguous();
            result.Add(new(mapped, value));
        }
        return result;
    }

    /// <summary>MiniMind2 ties tok_embeddings and output: fill the one a file left out, refuse two different matrices.</summary>
    static void TieEmbedding(Dictionary<string, Tensor> miniMind, string source)
    {
        bool hasEmbedding = miniMind.TryGetValue("tok_embeddings.weight", out var embedding);
        bool hasOutput = miniMind.TryGetValue("output.weight", out var output);
        if (hasEmbedding && !hasOutput) miniMind["output.weight"] = embedding!;
        else if (hasOutput && !hasEmbedding) miniMind["tok_embeddings.weight"] = output!;
        else if (hasEmbedding && hasOutput && embedding!.shape.SequenceEqual(output!.shape))
        {
            if (embedding.allclose(output, rtol: 0, atol: 0)) return; // exactly equal: the usual case
            using var scope = NewDisposeScope(); // the vocab x dim temporaries of the message, freed here
            float difference = (embedding.to(ScalarType.Float32) - output.to(ScalarType.Float32)).abs().max().item<float>();
            throw new InvalidDataException(
                $"{source}: the output head (lm_head / output) differs from the token embedding (embed_tokens / tok_embeddings), max abs difference {difference}; " +
                "MiniMind2 ties them (tie_word_embeddings), so an untied model cannot be imported exactly.");
        }
    }

    // layers in numeric order (layers.10 after layers.9), the embedding first and the final norm last
    static string SortKey(string name)
    {
        if (name.StartsWith("tok_embeddings", StringComparison.Ordinal)) return "0";
        if (!name.StartsWith("layers.", StringComparison.Ordinal)) return "2" + name;
        var rest = name["layers.".Length..];
        int dot = rest.IndexOf('.');
        return "1" + int.Parse(rest[..dot], System.Globalization.CultureInfo.InvariantCulture).ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + rest[dot..];
    }
}
