namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Read-only open-addressing hash map from a packed (left, right) id pair to its packed (rank, merged id),
/// the innermost lookup of BPE encoding; linear probing over flat arrays beats a general dictionary here.
/// </summary>
sealed class MergeTable
{
    public const long NotFound = long.MaxValue;

    const long EmptyKey = -1;

    readonly long[] keys;
    readonly long[] values;
    readonly int mask;
    readonly int shift;

    public MergeTable(IReadOnlyDictionary<long, long> merges)
    {
        int capacity = 1 << Math.Max(4, (int)Math.Ceiling(Math.Log2(merges.Count * 2 + 1)));
        keys = new long[capacity];
        values = new long[capacity];
        mask = capacity - 1;
        shift = 64 - (int)Math.Log2(capacity);
        Array.Fill(keys, EmptyKey);
        foreach ((long key, long value) in merges)
        {
            int slot = Slot(key);
            while (keys[slot] != EmptyKey)
            {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            values[slot] = value;
        }
    }

    public long Get(long key)
    {
        for (int slot = Slot(key); ; slot = (slot + 1) & mask)
        {
            long found = keys[slot];
            if (found == key)
            {
                return values[slot];
            }
            if (found == EmptyKey)
            {
                return NotFound;
            }
        }
    }

    int Slot(long key) => (int)((ulong)(key * -7046029254386353131L) >> shift);
}
