namespace MiniMind.Engine.Data;

/// <summary><c>{"chosen": [...], "rejected": [...]}</c> (DPO): two conversations sharing a prompt.</summary>
public sealed record PreferenceRecord(IReadOnlyList<ChatMessage> Chosen, IReadOnlyList<ChatMessage> Rejected) : DataRecord
{
    public override long Characters =>
        new ConversationRecord(Chosen).Characters + new ConversationRecord(Rejected).Characters;
}
