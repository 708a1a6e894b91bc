namespace MiniMind.Engine.Tokenization;

/// <summary>
/// An entry of tokenizer.json's <c>added_tokens</c> (HF <c>AddedToken</c>): matched as a whole string before
/// pre-tokenization; <c>lstrip</c>/<c>rstrip</c> let it swallow adjacent whitespace.
/// </summary>
public sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false);
