namespace MiniMind.Engine.Data;

/// <summary>
/// One batch on the CPU, ready to become tensors. Row-major [Rows, Length]:
/// <see cref="Inputs"/> = ids[:-1], <see cref="Targets"/> = ids[1:], <see cref="LossMask"/> = 1 where the target is a real target.
/// </summary>
public sealed record TokenBatch(long[] Inputs, long[] Targets, float[] LossMask, int Rows, int Length)
{
    /// <summary>Count of positions with a positive loss mask: the tokens the model actually learns from.</summary>
    public long UsefulTokens { get; } = LossMask.LongCount(m => m > 0);

    /// <summary>
    /// A reinforcement-learning batch's prompts with their reference answers (then <see cref="Inputs"/> holds the prompt ids,
    /// right-padded, and <see cref="LossMask"/> marks them); null for every other stage.
    /// </summary>
    public PromptBatch? Prompts { get; init; }
}
