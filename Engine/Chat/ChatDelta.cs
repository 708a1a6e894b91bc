namespace MiniMind.Engine.Chat;

/// <summary>
/// A piece of a streamed answer for choice <see cref="Choice"/> (0 .. n-1): answer text and/or reasoning
/// text (what the model wrote inside &lt;think&gt;...&lt;/think&gt;), each possibly empty. The delta that
/// ends a choice carries its <see cref="FinishReason"/>; the last delta of the whole stream also carries
/// <see cref="Usage"/>. Text never splits a UTF-8 character.
/// </summary>
public sealed record ChatDelta(int Choice, string Content, string Reasoning, ChatFinishReason? FinishReason = null, ChatUsage? Usage = null);
