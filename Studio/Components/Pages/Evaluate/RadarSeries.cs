using MiniMind.Engine.Evaluation;

namespace MiniMind.Studio.Components.Pages.Evaluate;

/// <summary>
/// One checkpoint's polygon on the radar: its latest saved accuracy on each benchmark (null where it has none).
/// Perplexity is not an accuracy in [0, 1] and stays in the tables.
/// </summary>
public sealed record RadarSeries(string Checkpoint, string Name, IReadOnlyList<string> Benchmarks, IReadOnlyList<double?> Accuracy)
{
    /// <summary>The latest accuracy per checkpoint and benchmark; every series has the same benchmarks (axes), in name order.</summary>
    public static IReadOnlyList<RadarSeries> From(IEnumerable<EvaluationRecord> records)
    {
        var latest = records
            .Where(r => r.Metrics.ContainsKey("accuracy"))
            .GroupBy(r => (r.Checkpoint, r.Benchmark))
            .Select(g => g.MaxBy(r => r.CreatedUtc)!)
            .ToList();
        var benchmarks = latest.Select(r => r.Benchmark).Distinct().Order(StringComparer.Ordinal).ToList();
        return latest.GroupBy(r => r.Checkpoint)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RadarSeries(g.Key, Path.GetFileNameWithoutExtension(g.Key), benchmarks,
                benchmarks.Select(b => g.FirstOrDefault(r => r.Benchmark == b)?.Metrics["accuracy"]).ToList()))
            .ToList();
    }
}
