using Microsoft.Extensions.Configuration;

namespace MiniMind.Studio.Services;

/// <summary>
/// The "Studio" section of appsettings.json. Relative paths are relative to the content root (the
/// repository root), so a fresh clone works on these defaults.
/// </summary>
public sealed class StudioOptions
{
    /// <summary>
    /// Folders whose jsonl/parquet files the Datasets page lists (the first one receives uploads); empty: <c>dataset</c>.
    /// Empty by default because the configuration binder appends a config's array to the default's elements.
    /// </summary>
    public string[] DatasetFolders { get; set; } = [];
    /// <summary>Checkpoints, run folders and the run registry.</summary>
    public string OutDir { get; set; } = "out";
    /// <summary>The tokenizer used when a page or a checkpoint names none.</summary>
    public string Tokenizer { get; set; } = "dataset/tokenizer";
    /// <summary>The SQLite run registry; empty: <c>OutDir/studio.db</c>.</summary>
    public string? RegistryPath { get; set; }
    public int MaxUploadMegabytes { get; set; } = 512;
    /// <summary>Live metrics reach pages and hub clients at most this often per run (a fast run never floods the browser).</summary>
    public int MetricsIntervalMilliseconds { get; set; } = 250;
    /// <summary>
    /// The demo pipeline's epochs are multiplied by this (rounded up, at least one): below 1 for a quicker, weaker demo
    /// on a slow machine (the browser tests use 0.4), 1 for the recipe as measured.
    /// </summary>
    public double DemoEpochScale { get; set; } = 1;

    public static StudioOptions From(IConfiguration configuration) =>
        configuration.GetSection("Studio").Get<StudioOptions>() ?? new StudioOptions();
}
