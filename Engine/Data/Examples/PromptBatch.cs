namespace MiniMind.Engine.Data;

/// <summary>
/// One prompt of a reinforcement-learning set: its rendered ids (the chat template with the generation prompt), the
/// question as a user wrote it, and the reference answer (or the facts, the agent-RL data's <c>gt</c>) the rewards check
/// completions against.
/// </summary>
public sealed record PromptExample(IReadOnlyList<long> Ids, string Question, string Answer)
{
    public IReadOnlyList<string> Facts { get; init; } = [];
}

/// <summary>
/// The prompts of one batch, and which of its <see cref="Passes"/> optimizer passes this delivery is (GRPO's
/// grpo_epochs: every pass after the first reuses the completions the first sampled, so one object is delivered once per pass).
/// </summary>
public sealed record PromptBatch(IReadOnlyList<PromptExample> Items, int Pass, int Passes)
{
    /// <summary>Whether a later pass will deliver these prompts again.</summary>
    public bool MoreToCome => Pass < Passes - 1;
}
