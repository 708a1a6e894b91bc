namespace MiniMind.Engine.Data;

/// <summary><c>{"conversations": [...]}</c> (SFT, reasoning and LoRA data).</summary>
public sealed record ConversationRecord(IReadOnlyList<ChatMessage> Messages) : DataRecord
{
    public override long Characters => Messages.Sum(m => (long)m.Content.Length + (m.ReasoningContent?.Length ?? 0));
}
