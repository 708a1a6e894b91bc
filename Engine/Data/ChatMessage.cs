namespace MiniMind.Engine.Data;

/// <summary>One turn of a conversation; <see cref="ReasoningContent"/> is the optional <c>reasoning_content</c> field.</summary>
public sealed record ChatMessage(string Role, string Content, string? ReasoningContent = null);
