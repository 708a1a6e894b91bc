namespace MiniMind.Studio.Services;

/// <summary>
/// What the Chat and Compare pages need from a chat engine: a streamed answer. One implementation today
/// (<see cref="LocalChatBackend"/>, on the engine's token generator); the engine's chat service can replace it
/// by implementing this interface.
/// </summary>
public interface IChatBackend
{
    IAsyncEnumerable<ChatDelta> StreamAsync(ChatRequest request, CancellationToken cancellationToken = default);
}
