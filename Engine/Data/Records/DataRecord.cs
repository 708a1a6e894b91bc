namespace MiniMind.Engine.Data;

/// <summary>A record that passed validation: one of <see cref="PretrainRecord"/>, <see cref="ConversationRecord"/>, <see cref="PreferenceRecord"/>.</summary>
public abstract record DataRecord
{
    /// <summary>Characters of text the record carries (statistics).</summary>
    public abstract long Characters { get; }
}
