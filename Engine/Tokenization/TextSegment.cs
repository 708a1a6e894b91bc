namespace MiniMind.Engine.Tokenization;

/// <summary>A slice of the input: either plain text to pre-tokenize, or an added token (<see cref="Token"/> set).</summary>
readonly record struct TextSegment(int Start, int Length, AddedToken? Token);
