namespace MiniMind.Engine.Training.Rewards;

/// <summary>
/// For arithmetic: 1 when the last number of the answer part equals the reference (a number; within a relative 1e-6), else
/// 0. A reference that is not a number scores 0 for every completion, so it gives no signal (see the mixed-file note in docs/training.md).
/// </summary>
public sealed class NumericReward : IReward
{
    public string Name => "numeric";

    public double Score(RewardContext c)
    {
        if (Completions.AsNumber(c.Reference) is not { } expected) return 0;
        if (Completions.LastNumber(c.AnswerPart) is not { } given) return 0;
        return Math.Abs(given - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected)) ? 1 : 0;
    }
}
