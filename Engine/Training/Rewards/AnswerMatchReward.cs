namespace MiniMind.Engine.Training.Rewards;

/// <summary>
/// 1 when the answer part matches the reference, else 0. <c>exact</c>: the same text, trimmed; <c>normalized</c>: the same
/// after <see cref="Completions.Normalize"/> (case, spaces and punctuation ignored); <c>contains</c>: the normalised
/// reference appears as whole words in the answer ("Mira lives in Mossford." holds "Mossford"; "17" does not hold "7").
/// A prompt with facts (agent-RL <c>gt</c>) instead scores the share of them the answer holds, as the current original's
/// <c>validate_gt_in_text</c> checks them (<see cref="Completions.HoldsFact"/>), whatever the mode.
/// </summary>
public sealed class AnswerMatchReward : IReward
{
    public static readonly string[] Modes = ["exact", "normalized", "contains"];

    readonly string mode;

    public AnswerMatchReward(string mode)
    {
        if (!Modes.Contains(mode)) throw new ArgumentException($"grpo_match must be {string.Join(", ", Modes)}; got \"{mode}\".");
        this.mode = mode;
    }

    public string Name => "answer";

    public double Score(RewardContext c)
    {
        var answer = c.AnswerPart;
        if (c.Facts.Count > 0) return (double)c.Facts.Count(f => Completions.HoldsFact(answer, f)) / c.Facts.Count;
        if (c.Reference.Length == 0) return 0; // nothing to match (RLAIF prompts)
        var ok = mode switch
        {
            "exact" => answer == c.Reference.Trim(),
            "normalized" => Completions.Normalize(answer) is { Length: > 0 } a && a == Completions.Normalize(c.Reference),
            _ => Completions.ContainsWords(answer, c.Reference),
        };
        return ok ? 1 : 0;
    }
}
