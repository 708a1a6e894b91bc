using MiniMind.Engine.Interop.Gguf;

namespace MiniMind.Engine.Interop;

/// <summary>
/// What <see cref="CheckpointExporter.Export"/> wrote: the folder and its files (names relative to it); for GGUF, what
/// llama.cpp made of the file (<see cref="Check"/>) and a note when the Modelfile could not carry the chat template.
/// </summary>
public sealed record ExportResult(string OutputDirectory, ExportFormat Format, IReadOnlyList<string> Files)
{
    public GgufCheckResult? Check { get; init; }

    public string? Note { get; init; }
}
