namespace MiniMind.Engine.Data;

/// <summary>
/// One turn of a conversation, in a dataset record and in a chat alike. Role: system, user, assistant, or tool (a tool's
/// result, in records of the current original's tool-use data); chat reads "developer" as system.
/// <see cref="ReasoningContent"/> is a record's optional <c>reasoning_content</c> field; <see cref="ToolCalls"/> an
/// assistant turn's calls and <see cref="Tools"/> a system turn's offered tools, each as compact JSON (an array),
/// however the record wrote them (a JSON string or the array itself).
/// </summary>
public sealed record ChatMessage(string Role, string Content, string? ReasoningContent = null, string? ToolCalls = null, string? Tools = null)
{
    public static ChatMessage System(string content) => new("system", content);
    public static ChatMessage User(string content) => new("user", content);
    public static ChatMessage Assistant(string content) => new("assistant", content);
}
