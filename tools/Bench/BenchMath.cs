namespace MiniMind.Bench;

/// <summary>What the benchmarks share to summarise repeated timings.</summary>
static class BenchMath
{
    /// <summary>The middle value (the upper of the two middles for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
