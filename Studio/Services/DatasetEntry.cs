using MiniMind.Engine.Data;

namespace MiniMind.Studio.Services;

/// <summary>A data file the Datasets page lists: its detected kind, or why it could not be detected.</summary>
public sealed record DatasetEntry(string Path, string DisplayName, long SizeBytes, DateTimeOffset ModifiedUtc, DatasetKind? Kind, string? Problem);
