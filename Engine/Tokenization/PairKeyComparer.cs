namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Hashing for packed (left, right) id pairs. <c>long.GetHashCode</c> xors the halves, so (a,b) and (b,a) and
/// every pair with the same xor collide; a multiplicative mix spreads them.
/// </summary>
sealed class PairKeyComparer : IEqualityComparer<long>
{
    public static readonly PairKeyComparer Instance = new();

    public bool Equals(long x, long y) => x == y;

    public int GetHashCode(long pair) => (int)((ulong)(pair * -7046029254386353131L) >> 32);
}
