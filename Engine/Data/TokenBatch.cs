namespace MiniMind.Engine.Data;

/// <summary>
/// One batch on the CPU, ready to become tensors, row-major (Rows, Length): inputs ids[:-1], targets
/// ids[1:], and a loss mask that is 1 where the target counts (0 for padding and, in SFT, for
/// everything but the assistant's turns). DPO batches hold the chosen rows first, then the rejected.
/// </summary>
public sealed record TokenBatch(long[] Inputs, long[] Targets, float[] LossMask, int Rows, int Length)
{
    /// <summary>Targets that count (mask &gt; 0): what "useful tokens/s" counts.</summary>
    public long UsefulTokens { get; } = LossMask.LongCount(m => m > 0);
}
