namespace MiniMind.Engine.Training;

/// <summary>
/// The seed's schedule over optimizer steps, <c>lr(t) = lr/10 + 0.5 * lr * (1 + cos(pi * t / T))</c>
/// (it starts at 1.1 lr and ends at 0.1 lr), with optional linear warmup from 0; or a constant rate.
/// </summary>
public sealed record LearningRateSchedule(double BaseRate, long TotalSteps, long WarmupSteps = 0, bool Constant = false)
{
    public double At(long step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps) return BaseRate * (step + 1) / WarmupSteps;
        if (Constant) return BaseRate;
        double progress = TotalSteps <= WarmupSteps ? 1.0 : (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        return BaseRate / 10 + 0.5 * BaseRate * (1 + Math.Cos(Math.PI * progress));
    }
}
