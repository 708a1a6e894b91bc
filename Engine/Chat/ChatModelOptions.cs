using static TorchSharp.torch;

namespace MiniMind.Engine.Chat;

/// <summary>How a chat model is loaded.</summary>
public sealed record ChatModelOptions
{
    /// <summary>Where the weights go; null: the CPU.</summary>
    public Device? Device { get; init; }
    /// <summary>A tokenizer folder to use instead of the one the checkpoint's sidecar names.</summary>
    public string? TokenizerPath { get; init; }
    /// <summary>Where a sidecar's relative tokenizer path resolves when it is not beside the sidecar (the studio's content root); null: the working directory.</summary>
    public string? Root { get; init; }
    /// <summary>The dtype the weights are served in (converted once at load); null: bf16 on CUDA, fp32 elsewhere.</summary>
    public ScalarType? ComputeType { get; init; }
    /// <summary>The name the model answers to (the catalog's id); null: the weights' file name.</summary>
    public string? Name { get; init; }
}
