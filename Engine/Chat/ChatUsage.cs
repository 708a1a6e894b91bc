namespace MiniMind.Engine.Chat;

/// <summary>Token counts of one request: the prompt once (however many choices), the completions summed over choices.</summary>
public sealed record ChatUsage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
