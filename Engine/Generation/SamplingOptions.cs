namespace MiniMind.Engine.Generation;

/// <summary>
/// How the next token is chosen. Temperature 0 is greedy (argmax), whatever the rest says. A chat answer's options
/// (<c>Chat.ChatOptions</c>) are these and what a chat adds.
/// </summary>
public record SamplingOptions
{
    public double Temperature { get; init; } = 0.85;
    /// <summary>Keep the smallest set of tokens whose probabilities reach top_p (1 keeps all, 0 only the most likely).</summary>
    public double TopP { get; init; } = 0.85;
    /// <summary>Keep the k most likely tokens (0 keeps all).</summary>
    public int TopK { get; init; }
    /// <summary>HuggingFace's repetition penalty: seen tokens' positive logits divided by it, negative ones multiplied (1 disables).</summary>
    public double RepetitionPenalty { get; init; } = 1.0;
    public long? Seed { get; init; }

    public static SamplingOptions Greedy { get; } = new() { Temperature = 0, TopP = 1 };

    public SamplingOptions Validate()
    {
        if (Temperature < 0 || double.IsNaN(Temperature)) throw new ArgumentException($"temperature must be >= 0; got {Temperature}.");
        if (TopP is < 0 or > 1 || double.IsNaN(TopP)) throw new ArgumentException($"top_p must be in [0, 1]; got {TopP}.");
        if (TopK < 0) throw new ArgumentException($"top_k must be >= 0; got {TopK}.");
        if (RepetitionPenalty <= 0 || double.IsNaN(RepetitionPenalty)) throw new ArgumentException($"repetition_penalty must be > 0; got {RepetitionPenalty}.");
        return this;
    }
}
