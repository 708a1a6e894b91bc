namespace MiniMind.Engine.Chat;

/// <summary>
/// A chat request the engine cannot serve as asked (a field out of range, a prompt too long for the
/// context): the caller's mistake, not the engine's. <see cref="Parameter"/> names the field at fault.
/// </summary>
public sealed class ChatRequestException(string parameter, string message, string? code = null) : ArgumentException(message)
{
    public string Parameter { get; } = parameter;

    /// <summary>A machine-readable reason where one applies (e.g. <c>context_length_exceeded</c>).</summary>
    public string? Code { get; } = code;
}
