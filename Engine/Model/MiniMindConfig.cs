using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiniMind.Engine.Model;

/// <summary>
/// The model configuration: the original MiniMind2 <c>LMConfig</c> (model/LMConfig.py, February 2025)
/// field for field, with the same snake_case JSON names and defaults, plus <see cref="Family"/>: "minimind3" is the
/// current original's Qwen3-shaped model (model/model_minimind.py at d65ef2c): the same network with an RMSNorm on each
/// head's queries and keys, its own feed-forward size rule, and its MoE router's rules; optional YaRN rotary scaling
/// (<see cref="InferenceRopeScaling"/>). Derived sizes live here and nowhere else.
/// </summary>
public sealed record MiniMindConfig
{
    /// <summary>The MiniMind2 network (February 2025).</summary>
    public const string MiniMind2 = "minimind2";

    /// <summary>The current original's network (minimind-3, Qwen3-shaped).</summary>
    public const string MiniMind3 = "minimind3";

    [JsonPropertyName("family")] public string Family { get; init; } = MiniMind2;
    [JsonPropertyName("dim")] public int Dim { get; init; } = 512;
    [JsonPropertyName("n_layers")] public int NLayers { get; init; } = 8;
    [JsonPropertyName("n_heads")] public int NHeads { get; init; } = 8;
    [JsonPropertyName("n_kv_heads")] public int? NKvHeads { get; init; } = 2;
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 6400;
    [JsonPropertyName("hidden_dim")] public int? HiddenDim { get; init; }
    [JsonPropertyName("multiple_of")] public int MultipleOf { get; init; } = 64;
    [JsonPropertyName("norm_eps")] public double NormEps { get; init; } = 1e-5;
    [JsonPropertyName("max_seq_len")] public int MaxSeqLen { get; init; } = 8192;
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 1e6;
    [JsonPropertyName("dropout")] public double Dropout { get; init; }
    [JsonPropertyName("flash_attn")] public bool FlashAttn { get; init; } = true;

    // Mixture of Experts (used only when use_moe is true)
    [JsonPropertyName("use_moe")] public bool UseMoe { get; init; }
    [JsonPropertyName("num_experts_per_tok")] public int NumExpertsPerTok { get; init; } = 2;
    [JsonPropertyName("n_routed_experts")] public int NRoutedExperts { get; init; } = 4;
    [JsonPropertyName("n_shared_experts"), JsonConverter(typeof(BoolOrCountConverter))] public bool NSharedExperts { get; init; } = true;
    [JsonPropertyName("scoring_func")] public string ScoringFunc { get; init; } = "softmax";
    [JsonPropertyName("aux_loss_alpha")] public double AuxLossAlpha { get; init; } = 0.1;
    [JsonPropertyName("seq_aux")] public bool SeqAux { get; init; } = true;
    [JsonPropertyName("norm_topk_prob")] public bool NormTopkProb { get; init; } = true;

    /// <summary>
    /// YaRN rotary scaling as the current original applies it at inference (its <c>inference_rope_scaling</c>): factor 16
    /// over 2048 original positions, beta_fast 32, beta_slow 1, attention factor 1; only when max_seq_len exceeds 2048.
    /// </summary>
    [JsonPropertyName("inference_rope_scaling")] public bool InferenceRopeScaling { get; init; }

    /// <summary>The YaRN parameters in force, or null: none asked for, or max_seq_len within the original 2048 positions.</summary>
    [JsonIgnore] public YarnScaling? RopeScaling => InferenceRopeScaling && MaxSeqLen > YarnScaling.Original.OriginalMaxPositions ? YarnScaling.Original : null;

    /// <summary>minimind3: an RMSNorm over head_dim on every query and key head (q_norm, k_norm), before the rotation.</summary>
    [JsonIgnore] public bool QkNorm => Family == MiniMind3;

    /// <summary>
    /// Whether the router renormalises the picked experts' weights: MiniMind2 only when it picks more than one
    /// (<c>top_k &gt; 1 and norm_topk_prob</c>), minimind3 whenever norm_topk_prob is set (one pick then weighs 1).
    /// </summary>
    [JsonIgnore] public bool NormalizesTopK => NormTopkProb && (NumExpertsPerTok > 1 || Family == MiniMind3);

    /// <summary>Key/value heads: n_kv_heads, or n_heads when it is null (as the original).</summary>
    [JsonIgnore] public int KvHeads => NKvHeads ?? NHeads;
    [JsonIgnore] public int HeadDim => Dim / NHeads;

    /// <summary>
    /// SwiGLU hidden size unless hidden_dim is given: MiniMind2 <c>multiple_of * ceil(int(2 * 4 * dim / 3) / multiple_of)</c>,
    /// minimind3 <c>ceil(dim * pi / 64) * 64</c> (2432 at dim 768).
    /// </summary>
    [JsonIgnore]
    public int FfnHiddenDim
    {
        get
        {
            if (HiddenDim is int h) return h;
            if (Family == MiniMind3) return (int)Math.Ceiling(Dim * Math.PI / 64) * 64;
            int hidden = 2 * (4 * Dim) / 3;
            return MultipleOf * ((hidden + MultipleOf - 1) / MultipleOf);
        }
    }

    /// <summary>Distinct parameters of a model of this config (the tied embedding/output matrix counted once).</summary>
    [JsonIgnore]
    public long ParameterCount
    {
        get
        {
            long dim = Dim, kv = (long)KvHeads * HeadDim;
            long attention = dim * dim * 2 + dim * kv * 2 + (QkNorm ? 2L * HeadDim : 0); // wq, wo; wk, wv; q_norm, k_norm
            long ffn = 3 * dim * FfnHiddenDim;                              // w1, w2, w3
            long feedForward = UseMoe ? ffn * (NRoutedExperts + (NSharedExperts ? 1 : 0)) + NRoutedExperts * dim : ffn;
            return VocabSize * dim + NLayers * (attention + feedForward + 2 * dim) + dim;
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming every inconsistent field (<see cref="Problems"/>).</summary>
    public MiniMindConfig Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems.Select(p => $"Invalid model config: {p.Field} {p.Message}.")));
        return this;
    }

    /// <summary>Every inconsistent field with what is wrong (the one source of these rules: the command line, the form, the engine).</summary>
    public IReadOnlyList<(string Field, string Message)> Problems()
    {
        var problems = new List<(string, string)>();
        void Require(bool ok, string field, string why)
        {
            if (!ok) problems.Add((field, why));
        }
        Require(Family is MiniMind2 or MiniMind3, "family", $"must be \"{MiniMind2}\" or \"{MiniMind3}\" (got \"{Family}\")");
        Require(Dim > 0, "dim", $"must be positive (got {Dim})");
        Require(NLayers > 0, "n_layers", $"must be positive (got {NLayers})");
        Require(NHeads > 0 && Dim % NHeads == 0, "n_heads", $"must divide dim (dim {Dim}, n_heads {NHeads})");
        if (NHeads > 0 && Dim % NHeads == 0 && HeadDim % 2 != 0)
            problems.Add(("n_heads", $"must leave an even head_dim for rotary embedding (head_dim {HeadDim})"));
        Require(KvHeads > 0 && NHeads % KvHeads == 0, "n_kv_heads", $"must divide n_heads (n_heads {NHeads}, n_kv_heads {KvHeads})");
        Require(VocabSize > 0, "vocab_size", $"must be positive (got {VocabSize})");
        Require(MultipleOf > 0, "multiple_of", $"must be positive (got {MultipleOf})");
        Require(HiddenDim is null || HiddenDim > 0, "hidden_dim", $"must be positive or null (got {HiddenDim})");
        Require(MaxSeqLen > 0, "max_seq_len", $"must be positive (got {MaxSeqLen})");
        Require(NormEps > 0, "norm_eps", $"must be positive (got {NormEps})");
        Require(Dropout is >= 0 and < 1, "dropout", $"must be in [0, 1) (got {Dropout})");
        if (UseMoe)
        {
            Require(NRoutedExperts > 0, "n_routed_experts", $"must be positive (got {NRoutedExperts})");
            Require(NumExpertsPerTok > 0 && NumExpertsPerTok <= NRoutedExperts, "num_experts_per_tok",
                $"must be between 1 and n_routed_experts (got {NumExpertsPerTok} of {NRoutedExperts})");
            Require(ScoringFunc == "softmax", "scoring_func", $"must be \"softmax\", the only scoring function MiniMind defines (got \"{ScoringFunc}\")");
        }
        return problems;
    }

    /// <summary>Named sizes: the seed's three MiniMind2 models and a CPU demo size.</summary>
    public static IReadOnlyDictionary<string, MiniMindConfig> Presets { get; } = new Dictionary<string, MiniMindConfig>
    {
        // MiniMind2-Small, 26M parameters
        ["small"] = new() { Dim = 512, NLayers = 8 },
        // MiniMind2, 104M parameters
        ["base"] = new() { Dim = 768, NLayers = 16 },
        // MiniMind2-MoE, 145M parameters: 4 routed experts, top-2, plus one shared expert
        ["moe"] = new() { Dim = 640, NLayers = 8, UseMoe = true },
        // A CPU demo: trains in minutes on 2 cores (the 6400-way head dominates at this size)
        ["tiny"] = new() { Dim = 128, NLayers = 4, NHeads = 4, NKvHeads = 2, MaxSeqLen = 512 },
        // minimind-3 (the current original's MiniMindConfig defaults): 64M parameters, Qwen3-shaped
        ["minimind3"] = MiniMind3Defaults,
        // minimind-3 MoE: 4 experts, each token routed to 1, no shared expert, aux-loss coefficient 5e-4
        ["minimind3-moe"] = MiniMind3Defaults with
        {
            UseMoe = true,
            NRoutedExperts = 4,
            NumExpertsPerTok = 1,
            NSharedExperts = false,
            NormTopkProb = true,
            AuxLossAlpha = 5e-4,
            SeqAux = false,
        },
        // the minimind-3 shape at the CPU demo's size
        ["minimind3-tiny"] = MiniMind3Defaults with { Dim = 128, NLayers = 4, NHeads = 4, NKvHeads = 2, MaxSeqLen = 512 },
    };

    /// <summary>The current original's MiniMindConfig defaults (hidden 768, 8 layers, 8 heads over 4 kv heads, eps 1e-6, 32768 positions).</summary>
    static MiniMindConfig MiniMind3Defaults => new()
    {
        Family = MiniMind3, Dim = 768, NLayers = 8, NHeads = 8, NKvHeads = 4, VocabSize = 6400, NormEps = 1e-6, MaxSeqLen = 32768, RopeTheta = 1e6,
    };

    public static MiniMindConfig Preset(string name) =>
        Presets.TryGetValue(name, out var c)
            ? c
            : throw new ArgumentException($"Unknown model preset \"{name}\"; known presets: {string.Join(", ", Presets.Keys)}.");

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static MiniMindConfig FromJson(string json, string source = "config")
    {
        try
        {
            return (JsonSerializer.Deserialize<MiniMindConfig>(json, JsonOptions)
                    ?? throw new ArgumentException($"{source}: the model config is empty (null)."))
                .Validate();
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{source}: not a valid model config: {e.Message}", e);
        }
    }

    public static MiniMindConfig Load(string path) =>
        File.Exists(path)
            ? FromJson(File.ReadAllText(path), path)
            : throw new FileNotFoundException($"Model config file not found: {path}", path);
}

/// <summary>YaRN rotary scaling (Peng et al. 2023) as the current original parameterises it.</summary>
public sealed record YarnScaling(double Factor, int OriginalMaxPositions, double BetaFast, double BetaSlow, double AttentionFactor)
{
    /// <summary>The current original's <c>rope_scaling</c> when <c>inference_rope_scaling</c> is on.</summary>
    public static YarnScaling Original { get; } = new(16, 2048, 32, 1, 1.0);
}

/// <summary>Reads <c>n_shared_experts</c> as the February 2025 seed writes it (a bool) or as later versions do (a count; 0 = none).</summary>
sealed class BoolOrCountConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False or JsonTokenType.Null => false,
        JsonTokenType.Number => reader.GetDouble() != 0,
        _ => throw new JsonException($"expected true, false or a number, got {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
}
