using MiniMind.Engine.Training;

namespace MiniMind.Studio.Components.Pages.Train;

/// <summary>
/// The headline speed of a run: the median tokens/s of its last <see cref="Window"/> steps, so one slow step (a pause,
/// a save, a busy machine) or one fast one does not make the figure jump.
/// </summary>
public sealed class RecentSpeed
{
    public const int Window = 25;

    readonly Queue<(double Tokens, double Useful)> recent = new();

    public void Add(StepMetrics step)
    {
        recent.Enqueue((step.TokensPerSecond, step.UsefulTokensPerSecond));
        while (recent.Count > Window) recent.Dequeue();
    }

    public double TokensPerSecond => Median(recent.Select(r => r.Tokens));

    public double UsefulTokensPerSecond => Median(recent.Select(r => r.Useful));

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return 0;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
