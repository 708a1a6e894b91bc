namespace MiniMind.Studio.Services;

/// <summary>Sampling settings of one answer (the same for both sides of a comparison).</summary>
public sealed record ChatSettings
{
    public double Temperature { get; init; } = 0.85;
    public double TopP { get; init; } = 0.85;
    public int TopK { get; init; }
    public double RepetitionPenalty { get; init; } = 1.0;
    public int MaxNewTokens { get; init; } = 256;
    public long? Seed { get; init; } = 42;
}
