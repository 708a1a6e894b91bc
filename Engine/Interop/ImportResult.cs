using MiniMind.Engine.Model;

namespace MiniMind.Engine.Interop;

/// <summary>What <see cref="CheckpointImporter.Import"/> wrote.</summary>
/// <param name="OutputPath">The studio checkpoint (or LoRA adapter) written, with its .json sidecar beside it.</param>
/// <param name="WeightsPath">The file the tensors were read from.</param>
/// <param name="Layout">The source's naming and rotary layout.</param>
/// <param name="IsLoraAdapter">True when the source held only LoRA adapter tensors.</param>
/// <param name="Config">The model config used.</param>
/// <param name="ConfigSource">Where the config came from (a file path, "options", "base checkpoint" or "tensor shapes").</param>
/// <param name="Tensors">How many tensors were read.</param>
public sealed record ImportResult(
    string OutputPath, string WeightsPath, WeightLayout Layout, bool IsLoraAdapter, MiniMindConfig Config, string ConfigSource, int Tensors);
