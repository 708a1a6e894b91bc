namespace MiniMind.Engine.Training.Rewards;

/// <summary>Rewards with their weights: a completion's reward is the weighted sum of its parts.</summary>
public sealed class RewardSet
{
    public RewardSet(IEnumerable<(IReward Reward, double Weight)> parts)
    {
        Parts = parts.Where(p => p.Weight != 0).ToList();
        if (Parts.Count == 0) throw new ArgumentException("GRPO needs at least one reward with a weight other than 0 (reward_answer, reward_numeric, reward_format, reward_length).");
        var names = Parts.Select(p => p.Reward.Name).ToList();
        if (names.Distinct().Count() != names.Count) throw new ArgumentException($"Two rewards share a name: {string.Join(", ", names)}.");
    }

    public IReadOnlyList<(IReward Reward, double Weight)> Parts { get; }

    /// <summary>The rewards the options weigh: answer match, numeric match, reasoning format, length penalty.</summary>
    public static RewardSet FromOptions(TrainingOptions o) => new(
    [
        (new AnswerMatchReward(o.GrpoMatch), o.RewardAnswer),
        (new NumericReward(), o.RewardNumeric),
        (new FormatReward(), o.RewardFormat),
        (new LengthPenalty(o.GrpoLengthTarget), o.RewardLength),
    ]);

    /// <summary>The weighted total and each part's unweighted score, in <see cref="Parts"/> order.</summary>
    public (double Total, double[] Parts) Score(RewardContext completion)
    {
        var scores = Parts.Select(p => p.Reward.Score(completion)).ToArray();
        var total = 0.0;
        for (var i = 0; i < scores.Length; i++) total += Parts[i].Weight * scores[i];
        return (total, scores);
    }
}
