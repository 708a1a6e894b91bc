namespace MiniMind.Studio.Services;

/// <summary>
/// What the Chat and Compare pages need from a chat engine: a streamed answer (<see cref="EngineChatBackend"/>,
/// on the engine's chat service; tests may put another behind it).
/// </summary>
public interface IChatBackend
{
    IAsyncEnumerable<ChatDelta> StreamAsync(ChatRequest request, CancellationToken cancellationToken = default);
}
