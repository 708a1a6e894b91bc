using MiniMind.Engine.Generation;

namespace MiniMind.Engine.Chat;

/// <summary>
/// How a chat answer is generated: the sampling options (temperature, top_p, top_k, repetition penalty, seed; defaults
/// are MiniMind's web demo settings) and what a chat adds, checked by the API's rules (<see cref="Validate"/>).
/// </summary>
public sealed record ChatOptions : SamplingOptions
{
    /// <summary>Tokens to generate per choice at most; null: up to the end of the context.</summary>
    public int? MaxTokens { get; init; }
    /// <summary>Strings that end a choice when generated (not included in the answer); at most 4.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];
    /// <summary>Number of choices, generated together in one batch.</summary>
    public int N { get; init; } = 1;
    /// <summary>Passed to the chat template as <c>enable_thinking</c> when set (templates that support it open a &lt;think&gt; block).</summary>
    public bool? EnableThinking { get; init; }
    /// <summary>The tools offered to the model: a JSON array as the chat template's <c>tools</c> (OpenAI's function tools); null: none.</summary>
    public string? Tools { get; init; }

    public const int MaxChoices = 16;
    public const int MaxStopStrings = 4;

    /// <summary>
    /// Checks every field against a model whose context holds <paramref name="contextLength"/> tokens, naming the API's
    /// field in a <see cref="ChatRequestException"/> (temperature at most 2, as OpenAI's).
    /// </summary>
    public ChatOptions Validate(int contextLength)
    {
        if (double.IsNaN(Temperature) || Temperature is < 0 or > 2)
            throw new ChatRequestException("temperature", $"temperature must be between 0 and 2; got {Temperature}.");
        if (double.IsNaN(TopP) || TopP is < 0 or > 1)
            throw new ChatRequestException("top_p", $"top_p must be between 0 and 1; got {TopP}.");
        if (TopK < 0) throw new ChatRequestException("top_k", $"top_k must be >= 0; got {TopK}.");
        if (double.IsNaN(RepetitionPenalty) || RepetitionPenalty <= 0)
            throw new ChatRequestException("repetition_penalty", $"repetition_penalty must be > 0; got {RepetitionPenalty}.");
        if (MaxTokens is int max && (max < 1 || max >= contextLength))
            throw new ChatRequestException("max_tokens",
                $"max_tokens must be between 1 and {contextLength - 1} (this model's context is {contextLength} tokens, and the prompt needs at least one); got {max}.");
        if (N is < 1 or > MaxChoices) throw new ChatRequestException("n", $"n must be between 1 and {MaxChoices}; got {N}.");
        if (Stop.Count > MaxStopStrings) throw new ChatRequestException("stop", $"At most {MaxStopStrings} stop strings; got {Stop.Count}.");
        if (Stop.Any(string.IsNullOrEmpty)) throw new ChatRequestException("stop", "Stop strings must not be empty.");
        return this;
    }
}
