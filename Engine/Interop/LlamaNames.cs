using System.Text.RegularExpressions;

namespace MiniMind.Engine.Interop;

/// <summary>
/// The state-dict name map between the original February-2025 MiniMind2 layout (<c>tok_embeddings</c>,
/// <c>layers.N.attention.wq</c>, <c>feed_forward.w1</c>, ...) and the transformers layout shared by
/// <c>LlamaForCausalLM</c> and the newer MiniMind (<c>model.embed_tokens</c>,
/// <c>model.layers.N.self_attn.q_proj</c>, <c>mlp.gate_proj</c>, ...), MoE names included. Names only:
/// the q/k row order differs too, see <see cref="RotaryPermutation"/>.
/// </summary>
public static partial class LlamaNames
{
    // MiniMind suffix <-> transformers suffix inside one layer (w1 = gate, w2 = down, w3 = up in SwiGLU)
    static readonly (string MiniMind, string Transformers)[] LayerParts =
    [
        ("attention.wq", "self_attn.q_proj"),
        ("attention.wk", "self_attn.k_proj"),
        ("attention.wv", "self_attn.v_proj"),
        ("attention.wo", "self_attn.o_proj"),
        ("attention.q_norm", "self_attn.q_norm"), // minimind3 / Qwen3: RMSNorm over each head's queries
        ("attention.k_norm", "self_attn.k_norm"),
        ("attention_norm", "input_layernorm"),
        ("ffn_norm", "post_attention_layernorm"),
        ("feed_forward.w1", "mlp.gate_proj"),
        ("feed_forward.w2", "mlp.down_proj"),
        ("feed_forward.w3", "mlp.up_proj"),
        ("feed_forward.gate", "mlp.gate"),
    ];

    static readonly (string MiniMind, string Transformers)[] ExpertParts =
    [
        ("w1", "gate_proj"),
        ("w2", "down_proj"),
        ("w3", "up_proj"),
    ];

    static readonly (string MiniMind, string Transformers)[] TopLevel =
    [
        ("tok_embeddings.weight", "model.embed_tokens.weight"),
        ("norm.weight", "model.norm.weight"),
        ("output.weight", "lm_head.weight"),
    ];

    [GeneratedRegex(@"^layers\.(\d+)\.(.+)\.(weight)$")] private static partial Regex MiniMindLayer();
    [GeneratedRegex(@"^model\.layers\.(\d+)\.(.+)\.(weight)$")] private static partial Regex TransformersLayer();
    [GeneratedRegex(@"^feed_forward\.experts\.(\d+)\.(w[123])$")] private static partial Regex MiniMindExpert();
    [GeneratedRegex(@"^mlp\.experts\.(\d+)\.(gate_proj|down_proj|up_proj)$")] private static partial Regex TransformersExpert();
    [GeneratedRegex(@"^feed_forward\.shared_experts\.(w[123])$")] private static partial Regex MiniMindShared();
    // the newer MiniMind keeps its shared experts in a ModuleList (shared_experts.0.*); one shared expert maps to ours
    [GeneratedRegex(@"^mlp\.shared_experts\.(?:0\.)?(gate_proj|down_proj|up_proj)$")] private static partial Regex TransformersShared();

    /// <summary>The transformers name of a MiniMind2 name, or null when it has none.</summary>
    public static string? ToTransformers(string miniMindName)
    {
        foreach (var (m, t) in TopLevel) if (m == miniMindName) return t;
        var layer = MiniMindLayer().Match(miniMindName);
        if (!layer.Success) return null;
        string n = layer.Groups[1].Value, part = layer.Groups[2].Value;
        string? mapped = LayerParts.FirstOrDefault(p => p.MiniMind == part).Transformers;
        if (mapped is null && MiniMindExpert().Match(part) is { Success: true } e)
            mapped = $"mlp.experts.{e.Groups[1].Value}.{Expert(e.Groups[2].Value, toTransformers: true)}";
        if (mapped is null && MiniMindShared().Match(part) is { Success: true } s)
            mapped = $"mlp.shared_experts.{Expert(s.Groups[1].Value, toTransformers: true)}";
        return mapped is null ? null : $"model.layers.{n}.{mapped}.weight";
    }

    /// <summary>The MiniMind2 name of a transformers-layout name, or null when it has none.</summary>
    public static string? ToMiniMind(string transformersName)
    {
        foreach (var (m, t) in TopLevel) if (t == transformersName) return m;
        var layer = TransformersLayer().Match(transformersName);
        if (!layer.Success) return null;
        string n = layer.Groups[1].Value, part = layer.Groups[2].Value;
        string? mapped = LayerParts.FirstOrDefault(p => p.Transformers == part).MiniMind;
        if (mapped is null && TransformersExpert().Match(part) is { Success: true } e)
            mapped = $"feed_forward.experts.{e.Groups[1].Value}.{Expert(e.Groups[2].Value, toTransformers: false)}";
        if (mapped is null && TransformersShared().Match(part) is { Success: true } s)
            mapped = $"feed_forward.shared_experts.{Expert(s.Groups[1].Value, toTransformers: false)}";
        return mapped is null ? null : $"layers.{n}.{mapped}.weight";
    }

    /// <summary>True for the q and k projections, whose rows are reordered between the two rotary layouts.</summary>
    public static bool IsQuery(string miniMindName) => miniMindName.EndsWith(".attention.wq.weight", StringComparison.Ordinal);

    public static bool IsKey(string miniMindName) => miniMindName.EndsWith(".attention.wk.weight", StringComparison.Ordinal);

    /// <summary>True for minimind3's per-head query and key norms, whose head_dim entries are reordered with the q/k rows.</summary>
    public static bool IsHeadNorm(string miniMindName) =>
        miniMindName.EndsWith(".attention.q_norm.weight", StringComparison.Ordinal) || miniMindName.EndsWith(".attention.k_norm.weight", StringComparison.Ordinal);

    static string Expert(string part, bool toTransformers) =>
        toTransformers
            ? ExpertParts.First(p => p.MiniMind == part).Transformers
            : ExpertParts.First(p => p.Transformers == part).MiniMind;
}
