namespace MiniMind.Engine.Chat;

/// <summary>One turn of a conversation. Role: system, user or assistant ("developer" is read as system).</summary>
public sealed record ChatMessage(string Role, string Content)
{
    public static ChatMessage System(string content) => new("system", content);
    public static ChatMessage User(string content) => new("user", content);
    public static ChatMessage Assistant(string content) => new("assistant", content);
}
