namespace MiniMind.Engine.Data;

/// <summary>
/// One turn of a conversation, in a dataset record and in a chat alike. Role: system, user or assistant (chat reads
/// "developer" as system); <see cref="ReasoningContent"/> is a record's optional <c>reasoning_content</c> field.
/// </summary>
public sealed record ChatMessage(string Role, string Content, string? ReasoningContent = null)
{
    public static ChatMessage System(string content) => new("system", content);
    public static ChatMessage User(string content) => new("user", content);
    public static ChatMessage Assistant(string content) => new("assistant", content);
}
