using MiniMind.Engine.Data;

namespace MiniMind.Studio.Services;

/// <summary>
/// A data file the Datasets page lists: its detected kind, or why it could not be detected; <see cref="Evaluation"/> when
/// it is a benchmark (question records) rather than training data.
/// </summary>
public sealed record DatasetEntry(string Path, string DisplayName, long SizeBytes, DateTimeOffset ModifiedUtc, DatasetKind? Kind, string? Problem,
    bool Evaluation = false)
{
    /// <summary>When the first records are of several kinds: how many of each ("63 sft, 1 pretrain"); <see cref="Kind"/> is the majority.</summary>
    public DatasetFormat.Detection? Mixed { get; init; }

    /// <summary>How the list names the file's format: its kind, "evaluation" for a benchmark, else "unknown format".</summary>
    public string Label => Kind?.ToString().ToLowerInvariant() ?? (Evaluation ? "evaluation" : "unknown format");
}
