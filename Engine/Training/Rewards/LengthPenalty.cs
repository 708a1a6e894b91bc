namespace MiniMind.Engine.Training.Rewards;

/// <summary>
/// Against rambling: 0 up to <c>target</c> completion tokens, then -1/target per token beyond it, down to -1; a completion
/// cut off at max new tokens (no eos) is -1 whatever its length.
/// </summary>
public sealed class LengthPenalty(int target) : IReward
{
    readonly int target = target > 0 ? target : throw new ArgumentException($"grpo_length_target must be positive; got {target}.");

    public string Name => "length";

    public double Score(RewardContext c) =>
        !c.Finished ? -1 : -Math.Min(1.0, Math.Max(0, c.CompletionIds.Count - target) / (double)target);
}
