namespace MiniMind.Engine.Chat;

/// <summary>One finished answer: its text, its reasoning (null when the model did not think) and why it ended.</summary>
public sealed record ChatChoice(int Index, string Content, string? Reasoning, ChatFinishReason FinishReason);
