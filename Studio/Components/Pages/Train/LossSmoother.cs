namespace MiniMind.Studio.Components.Pages.Train;

/// <summary>
/// The loss curve's smoothed trace: an exponential moving average with weight <see cref="Beta"/> on the past, bias-corrected
/// as TensorBoard does (so the first points are not pulled toward zero). Non-finite losses are skipped.
/// </summary>
public sealed class LossSmoother
{
    public const double Beta = 0.9;
    public const string Name = "loss (EMA 0.9)";

    double average;
    int count;

    /// <summary>Adds a loss and returns the smoothed value after it.</summary>
    public double Add(double loss)
    {
        if (double.IsFinite(loss))
        {
            average = Beta * average + (1 - Beta) * loss;
            count++;
        }
        return count == 0 ? double.NaN : average / (1 - Math.Pow(Beta, count));
    }
}
