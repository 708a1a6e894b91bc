using MiniMind.Engine.Chat;
using MiniMind.Engine.Data;

namespace MiniMind.Studio.Services;

/// <summary>A conversation to continue with a checkpoint (and optionally a LoRA adapter on it).</summary>
public sealed record ChatRequest(string Checkpoint, string? Adapter, IReadOnlyList<ChatMessage> Messages, ChatOptions Settings);
