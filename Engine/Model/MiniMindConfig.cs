using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiniMind.Engine.Model;

/// <summary>
/// The model configuration: the original MiniMind2 <c>LMConfig</c> (model/LMConfig.py, February 2025)
/// field for field, with the same snake_case JSON names and defaults. Derived sizes live here and
/// nowhere else.
/// </summary>
public sealed record MiniMindConfig
{
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

    /// <summary>Key/value heads: n_kv_heads, or n_heads when it is null (as the original).</summary>
    [JsonIgnore] public int KvHeads => NKvHeads ?? NHeads;
    [JsonIgnore] public int HeadDim => Dim / NHeads;

    /// <summary>SwiGLU hidden size: <c>multiple_of * ceil(int(2 * 4 * dim / 3) / multiple_of)</c> unless hidden_dim is given.</summary>
    [JsonIgnore]
    public int FfnHiddenDim
    {
        get
        {
            if (HiddenDim is int h) return h;
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
            long attention = dim * dim * 2 + dim * kv * 2;                 // wq, wo; wk, wv
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
