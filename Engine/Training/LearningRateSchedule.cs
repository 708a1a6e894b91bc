namespace MiniMind.Engine.Training;

/// <summary>
/// The seed's schedule over optimizer steps, <c>lr(t) = lr/10 + 0.5 * lr * (1 + cos(pi * t / T))</c>
/// (it starts at 1.1 lr and ends at 0.1 lr), with optional linear warmup from 0; or a constant rate.
/// Warmup rises to the rate the schedule starts at (1.1 lr for the cosine), so the two join without a jump.
/// </summary>
public sealed record LearningRateSchedule(double BaseRate, long TotalSteps, long WarmupSteps = 0, bool Constant = false)
{
    public double At(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return AfterWarmup(0) * (step + 1) / WarmupSteps;
        return AfterWarmup(TotalSteps <= WarmupSteps ? 1.0 : (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps));
    }

    double AfterWarmup(double progress) =>
        Constant ? BaseRate : BaseRate / 10 + 0.5 * BaseRate * (1 + Math.Cos(Math.PI * progress));
}
