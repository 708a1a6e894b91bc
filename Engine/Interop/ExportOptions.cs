using MiniMind.Engine.Interop.Gguf;
using MiniMind.Engine.Model;

namespace MiniMind.Engine.Interop;

/// <summary>Optional settings of <see cref="CheckpointExporter.Export"/>.</summary>
public sealed record ExportOptions
{
    /// <summary>The config of a weights file without a sidecar (a seed-layout .safetensors).</summary>
    public MiniMindConfig? Config { get; init; }

    /// <summary>A LoRA adapter (studio .safetensors) merged into the weights before export.</summary>
    public string? LoraAdapter { get; init; }

    /// <summary>Replace an existing, non-empty output folder (otherwise that is an error).</summary>
    public bool Overwrite { get; init; }

    /// <summary>GGUF only: the type of the weight matrices (norms and the MoE router stay F32).</summary>
    public GgmlType Quantization { get; init; } = GgmlType.F16;

    /// <summary>GGUF only: load the file back in llama.cpp and compare its first greedy tokens with the studio's.</summary>
    public bool CheckWithLlamaCpp { get; init; } = true;
}
