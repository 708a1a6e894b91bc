using System.Text.Json;
using System.Text.Json.Nodes;
using MiniMind.Engine.Model;

namespace MiniMind.Engine.Interop;

/// <summary>
/// transformers' <c>config.json</c> for a MiniMind2 model: written as a <c>LlamaForCausalLM</c> config,
/// read from a Llama config or the newer MiniMind's (<c>model_type: minimind</c>, same Llama field
/// names plus its MoE fields). Fields a file leaves out take MiniMind2's LMConfig defaults.
/// </summary>
public static class HuggingFaceConfig
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The LlamaForCausalLM config.json of a dense MiniMind2 model.</summary>
    public static string ToLlamaJson(MiniMindConfig config, int? bosId, int? eosId, int? padId)
    {
        if (config.UseMoe) throw new ArgumentException("A mixture-of-experts model has no LlamaForCausalLM config; export it to the MiniMind layout.");
        var json = Shape(config, "LlamaForCausalLM", "llama");
        foreach (var (key, value) in new Dictionary<string, JsonNode?>
        {
            // rope_theta is what transformers 4.x, vLLM and llama.cpp's converter read; transformers 5 reads
            // rope_parameters (and converts a bare rope_theta itself), so both say the same thing
            ["rope_theta"] = config.RopeTheta,
            ["rope_scaling"] = null,
            ["rope_parameters"] = new JsonObject { ["rope_type"] = "default", ["rope_theta"] = config.RopeTheta },
            ["attention_bias"] = false,
            ["attention_dropout"] = 0.0,
            ["mlp_bias"] = false,
            ["initializer_range"] = 0.02,
            ["pretraining_tp"] = 1,
            ["tie_word_embeddings"] = true,
            ["use_cache"] = true,
            ["torch_dtype"] = "float32",
        })
            json[key] = value;
        return WithTokenIds(json, bosId, eosId, padId);
    }

    /// <summary>
    /// A minimind3 model as transformers' <c>Qwen3ForCausalLM</c> (or <c>Qwen3MoeForCausalLM</c>), the config the current
    /// original's <c>scripts/convert_model.py</c> writes: its q/k rows rotate halves, as the tensors are exported.
    /// </summary>
    public static string ToQwen3Json(MiniMindConfig config, int? bosId, int? eosId, int? padId)
    {
        var json = Shape(config, config.UseMoe ? "Qwen3MoeForCausalLM" : "Qwen3ForCausalLM", config.UseMoe ? "qwen3_moe" : "qwen3");
        foreach (var (key, value) in new Dictionary<string, JsonNode?>
        {
            ["rope_theta"] = config.RopeTheta,
            ["rope_scaling"] = config.RopeScaling is { } y
                ? new JsonObject { ["type"] = "yarn", ["factor"] = y.Factor, ["original_max_position_embeddings"] = y.OriginalMaxPositions, ["beta_fast"] = y.BetaFast, ["beta_slow"] = y.BetaSlow, ["attention_factor"] = y.AttentionFactor }
                : null,
            ["attention_bias"] = false,
            ["attention_dropout"] = 0.0,
            ["use_sliding_window"] = false,
            ["sliding_window"] = null,
            ["tie_word_embeddings"] = true,
            ["use_cache"] = true,
            ["torch_dtype"] = "float32",
        })
            json[key] = value;
        if (config.UseMoe)
        {
            json["num_experts"] = config.NRoutedExperts;
            json["num_experts_per_tok"] = config.NumExpertsPerTok;
            json["moe_intermediate_size"] = config.FfnHiddenDim;
            json["norm_topk_prob"] = config.NormTopkProb;
            json["router_aux_loss_coef"] = config.AuxLossAlpha;
            json["decoder_sparse_step"] = 1;
            json["mlp_only_layers"] = new JsonArray();
        }
        return WithTokenIds(json, bosId, eosId, padId);
    }

    static string WithTokenIds(JsonObject json, int? bosId, int? eosId, int? padId)
    {
        if (bosId is int bos) json["bos_token_id"] = bos;
        if (eosId is int eos) json["eos_token_id"] = eos;
        if (padId is int pad) json["pad_token_id"] = pad;
        return json.ToJsonString(Indented);
    }

    /// <summary>The sizes every transformers config of a MiniMind model states, under its architecture and model type.</summary>
    static JsonObject Shape(MiniMindConfig config, string architecture, string modelType) => new()
    {
        ["architectures"] = new JsonArray(architecture),
        ["model_type"] = modelType,
        ["vocab_size"] = config.VocabSize,
        ["hidden_size"] = config.Dim,
        ["intermediate_size"] = config.FfnHiddenDim,
        ["num_hidden_layers"] = config.NLayers,
        ["num_attention_heads"] = config.NHeads,
        ["num_key_value_heads"] = config.KvHeads,
        ["head_dim"] = config.HeadDim,
        ["hidden_act"] = "silu",
        ["max_position_embeddings"] = config.MaxSeqLen,
        ["rms_norm_eps"] = config.NormEps,
    };

    /// <summary>generation_config.json: the special token ids, nothing about sampling (the studio chooses that per request).</summary>
    public static string GenerationJson(int? bosId, int? eosId, int? padId)
    {
        var json = new JsonObject { ["_from_model_config"] = true };
        return WithTokenIds(json, bosId, eosId, padId);
    }

    /// <summary>
    /// A model config file in either naming: the original MiniMind2's LMConfig (<c>dim</c>, <c>n_layers</c>, ...) or the
    /// transformers names the current original and Hugging Face folders use (<c>hidden_size</c>, <c>num_hidden_layers</c>,
    /// ...), told apart by <c>hidden_size</c>; the latter without a <c>model_type</c> is read as the current original's.
    /// </summary>
    public static MiniMindConfig ReadAny(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model config file not found: {path}", path);
        JsonObject? o;
        try { o = JsonNode.Parse(File.ReadAllText(path)) as JsonObject; }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e); }
        if (o is null || o["hidden_size"] is null) return MiniMindConfig.Load(path);
        if (o["model_type"] is null)
        {
            o["model_type"] = "minimind";
            o["use_moe"] ??= false;
        }
        return FromObject(o, path);
    }

    /// <summary>
    /// A MiniMind config from a transformers config.json (Llama, Qwen3 / Qwen3-MoE or the current MiniMind). Refuses what the
    /// model cannot represent: rope scaling, biases, an activation other than SiLU, head_dim other than dim / heads.
    /// </summary>
    public static MiniMindConfig Read(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e); }
        if (root is not JsonObject o) throw new InvalidDataException($"{path}: expected a JSON object.");
        return FromObject(o, path);
    }

    static MiniMindConfig FromObject(JsonObject o, string path)
    {

        string? modelType = Str(o, "model_type");
        if (modelType is not null and not "llama" and not "minimind" and not "qwen3" and not "qwen3_moe")
            throw new InvalidDataException($"{path}: model_type \"{modelType}\" is not llama, qwen3, qwen3_moe or minimind.");
        // Qwen3 (what the current original's convert_model.py writes) and the current original's own config are minimind3
        bool minimind3 = modelType is "qwen3" or "qwen3_moe" || (modelType == "minimind" && o["use_moe"] is not null && o["hidden_size"] is not null && o["n_routed_experts"] is null);
        void Refuse(bool bad, string what)
        {
            if (bad) throw new InvalidDataException($"{path}: {what}; a MiniMind2 model cannot represent it exactly.");
        }
        bool yarn = o["rope_scaling"] is JsonObject scaling && IsOriginalYarn(scaling);
        Refuse(o["rope_scaling"] is JsonObject && !(minimind3 && yarn), "rope_scaling is set to a scaled rotary embedding other than the current original's YaRN");
        Refuse(o["rope_parameters"] is JsonObject rp && Str(rp, "rope_type") is { } rt && rt != "default", "rope_parameters.rope_type is not \"default\"");
        Refuse(Bool(o, "attention_bias") == true || Bool(o, "mlp_bias") == true, "the projections have biases");
        Refuse(Str(o, "hidden_act") is { } act && act != "silu", $"hidden_act is \"{Str(o, "hidden_act")}\", not silu");
        Refuse(Bool(o, "tie_word_embeddings") == false, "tie_word_embeddings is false (untied output head)");

        var defaults = minimind3 ? MiniMindConfig.Preset(modelType == "qwen3_moe" ? "minimind3-moe" : "minimind3") : new MiniMindConfig();
        int dim = Int(o, "hidden_size") ?? defaults.Dim;
        int heads = Int(o, "num_attention_heads") ?? defaults.NHeads;
        double ropeTheta = Num(o, "rope_theta") ?? (o["rope_parameters"] is JsonObject p ? Num(p, "rope_theta") : null) ?? defaults.RopeTheta;
        var config = defaults with
        {
            Dim = dim,
            NLayers = Int(o, "num_hidden_layers") ?? defaults.NLayers,
            NHeads = heads,
            NKvHeads = Int(o, "num_key_value_heads") ?? heads,
            VocabSize = Int(o, "vocab_size") ?? defaults.VocabSize,
            HiddenDim = Int(o, "intermediate_size"),
            NormEps = Num(o, "rms_norm_eps") ?? defaults.NormEps,
            MaxSeqLen = Int(o, "max_position_embeddings") ?? defaults.MaxSeqLen,
            RopeTheta = ropeTheta,
            UseMoe = Bool(o, "use_moe") ?? (modelType == "qwen3_moe"),
            NumExpertsPerTok = Int(o, "num_experts_per_tok") ?? defaults.NumExpertsPerTok,
            NRoutedExperts = Int(o, "n_routed_experts") ?? Int(o, "num_experts") ?? defaults.NRoutedExperts,
            NSharedExperts = o["n_shared_experts"] switch { null => defaults.NSharedExperts, var n => n.GetValueKind() == JsonValueKind.Number ? n.GetValue<double>() != 0 : n.GetValueKind() == JsonValueKind.True },
            ScoringFunc = Str(o, "scoring_func") ?? defaults.ScoringFunc,
            AuxLossAlpha = Num(o, "aux_loss_alpha") ?? Num(o, "router_aux_loss_coef") ?? defaults.AuxLossAlpha,
            InferenceRopeScaling = minimind3 && (yarn || Bool(o, "inference_rope_scaling") == true),
            SeqAux = Bool(o, "seq_aux") ?? defaults.SeqAux,
            NormTopkProb = Bool(o, "norm_topk_prob") ?? defaults.NormTopkProb,
        };
        if (Int(o, "head_dim") is int headDim && headDim != config.HeadDim)
            Refuse(true, $"head_dim is {headDim}, not hidden_size / num_attention_heads = {config.HeadDim}");
        try { return config.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>The current original's YaRN: type yarn, factor 16 over 2048 positions, beta_fast 32, beta_slow 1, attention factor 1.</summary>
    static bool IsOriginalYarn(JsonObject scaling)
    {
        var y = YarnScaling.Original;
        return (Str(scaling, "type") ?? Str(scaling, "rope_type")) == "yarn" && Num(scaling, "factor") == y.Factor
            && (Num(scaling, "original_max_position_embeddings") ?? y.OriginalMaxPositions) == y.OriginalMaxPositions
            && (Num(scaling, "beta_fast") ?? y.BetaFast) == y.BetaFast && (Num(scaling, "beta_slow") ?? y.BetaSlow) == y.BetaSlow
            && (Num(scaling, "attention_factor") ?? y.AttentionFactor) == y.AttentionFactor;
    }

    static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
    static double? Num(JsonObject o, string name) => o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;
    static int? Int(JsonObject o, string name) => Num(o, name) is double d ? (int)d : null;
    static bool? Bool(JsonObject o, string name) => o[name] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;
}
