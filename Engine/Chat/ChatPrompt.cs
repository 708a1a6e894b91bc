namespace MiniMind.Engine.Chat;

/// <summary>
/// A conversation rendered for the model: the template's text, its token ids, how many of the oldest
/// messages were dropped to fit the context, and whether the template left a &lt;think&gt; block open.
/// </summary>
public sealed record ChatPrompt(string Text, IReadOnlyList<long> Ids, int DroppedMessages, bool StartsInReasoning);
