namespace MiniMind.Studio.Services;

/// <summary>
/// One piece of a streamed answer: answer text and/or reasoning text; the last one carries the finish reason
/// ("stop", "length" or "cancelled") and the token counts.
/// </summary>
public sealed record ChatDelta(string Text = "", string Reasoning = "", string? FinishReason = null, int PromptTokens = 0, int CompletionTokens = 0);
