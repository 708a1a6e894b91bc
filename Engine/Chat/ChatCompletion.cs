namespace MiniMind.Engine.Chat;

/// <summary>Every choice of a request, collected, with the request's token usage.</summary>
public sealed record ChatCompletion(IReadOnlyList<ChatChoice> Choices, ChatUsage Usage);
