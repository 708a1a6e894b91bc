namespace MiniMind.Engine.Tokenization;

/// <summary>
/// BPE of one code point's UTF-8 bytes in isolation: its resulting tokens, the highest merge rank used, and
/// every symbol its first/last position held along the way (the only symbols a cross-character pair can
/// involve while the character is still being merged).
/// </summary>
sealed record CharMerge(int[] Tokens, long MaxRank, int[] FirstStates, int[] LastStates);
