namespace MiniMind.Engine.Generation;

/// <summary>Options of one generation call, on token ids (text and chat templates sit above).</summary>
public sealed record GenerationRequest
{
    /// <summary>One row per sequence; rows may differ in length (they are left-padded into one batch).</summary>
    public required IReadOnlyList<IReadOnlyList<long>> Prompts { get; init; }
    public int MaxNewTokens { get; init; } = 256;
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;
    /// <summary>Stop a row when it produces this id (unless IgnoreEos).</summary>
    public long? EosId { get; init; }
    public bool IgnoreEos { get; init; }
}
