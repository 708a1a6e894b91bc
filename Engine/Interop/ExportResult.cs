namespace MiniMind.Engine.Interop;

/// <summary>What <see cref="CheckpointExporter.Export"/> wrote: the folder and its files (names relative to it).</summary>
public sealed record ExportResult(string OutputDirectory, ExportFormat Format, IReadOnlyList<string> Files);
