namespace MiniMind.Engine.Training.Rewards;

/// <summary>
/// One sampled completion to score: the prompt's question and reference answer, the completion as text (special tokens
/// removed) and as ids, and whether it ended with eos (false: it ran out of max new tokens).
/// </summary>
public sealed record RewardContext(string Question, string Reference, string Completion, IReadOnlyList<long> CompletionIds, bool Finished)
{
    /// <summary>Facts the answer must hold instead of one reference (the current original's agent-RL <c>gt</c>); empty when none.</summary>
    public IReadOnlyList<string> Facts { get; init; } = [];

    /// <summary>The part of the completion that answers: inside <c>&lt;answer&gt;…&lt;/answer&gt;</c> when it has one, else all of it.</summary>
    public string AnswerPart => Completions.AnswerPart(Completion);
}

/// <summary>
/// A reward that can be checked by code (no reward model): a score for one completion, usually in [-1, 1]. GRPO combines
/// several with weights (<see cref="RewardSet"/>). To add one, implement this and add it in <see cref="RewardSet.FromOptions"/>
/// with a weight option; its <see cref="Name"/> becomes the metric <c>reward_&lt;name&gt;</c> of the live view.
/// </summary>
public interface IReward
{
    /// <summary>Short snake_case name, for metrics and logs.</summary>
    string Name { get; }

    double Score(RewardContext completion);
}
