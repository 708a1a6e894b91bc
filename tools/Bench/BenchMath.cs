namespace MiniMind.Bench;

/// <summary>What the benchmarks share to summarise repeated timings.</summary>
static class BenchMath
{
    /// <summary>Minimum, median and maximum of a sample, and its size. How each bench says which it reports: <see cref="Statistic"/>.</summary>
    public readonly record struct Spread(double Min, double Median, double Max, int Count)
    {
        public Spread Map(Func<double, double> f, bool decreasing = false) =>
            decreasing ? new(f(Max), f(Median), f(Min), Count) : new(f(Min), f(Median), f(Max), Count);
    }

    /// <summary>
    /// The spread of <paramref name="values"/>. The median of an even count is the mean of the two middle values (never one
    /// of them only, which would report the slower or the faster run as the middle).
    /// </summary>
    public static Spread Summarise(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) throw new ArgumentException("No values to summarise.");
        int n = sorted.Count;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Spread(sorted[0], median, sorted[^1], n);
    }

    public static double Median(IEnumerable<double> values) => Summarise(values).Median;

    /// <summary>The JSON's statement of what its figures are.</summary>
    public static string Statistic(int count, string of) => $"median of {count} {of}; _min and _max beside";

    /// <summary>Refuses an even number of timed runs: with an odd one the median is a run that happened.</summary>
    public static int OddRuns(int runs) =>
        runs >= 1 && runs % 2 == 1 ? runs : throw new ArgumentException($"--runs must be an odd number (the median is then one of the runs); got {runs}.");
}
