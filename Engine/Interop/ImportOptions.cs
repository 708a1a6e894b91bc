using MiniMind.Engine.Model;

namespace MiniMind.Engine.Interop;

/// <summary>
/// How <see cref="CheckpointImporter"/> reads a source. Without <see cref="Config"/> the config comes from a
/// <c>config.json</c> (transformers) or <c>lmconfig.json</c> (LMConfig fields) beside or inside the source;
/// failing both it is read off the tensor shapes, which cannot tell the number of attention heads: give
/// <see cref="Heads"/> then.
/// </summary>
public sealed record ImportOptions
{
    /// <summary>The model config (LMConfig fields); wins over any file beside the source.</summary>
    public MiniMindConfig? Config { get; init; }

    /// <summary>Attention heads, when the config is inferred from shapes (MiniMind2's released models use 8).</summary>
    public int? Heads { get; init; }

    /// <summary>For a LoRA adapter file: the studio checkpoint it adapts (its sidecar gives the config).</summary>
    public string? BaseCheckpoint { get; init; }

    /// <summary>The stage recorded in the sidecar (e.g. pretrain, sft); "imported" when not given.</summary>
    public string? Stage { get; init; }

    /// <summary>The tokenizer (folder or tokenizer.json) recorded in the sidecar, so a later export finds it.</summary>
    public string? Tokenizer { get; init; }
}
