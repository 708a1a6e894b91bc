namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Read-only open-addressing hash map from a packed (left, right) id pair to its packed (rank, merged id),
/// the innermost lookup of BPE encoding; linear probing over flat arrays beats a general dictionary here.
/// </summary>
internal sealed class MergeTable
{
    public const long NotFound = long.MaxValue;

    private const long EmptyKey = -1;

    private readonly long[] _keys;
    private readonly long[] _values;
    private readonly int _mask;
    private readonly int _shift;

    public MergeTable(IReadOnlyDictionary<long, long> merges)
    {
        int capacity = 1 << Math.Max(4, (int)Math.Ceiling(Math.Log2(merges.Count * 2 + 1)));
        _keys = new long[capacity];
        _values = new long[capacity];
        _mask = capacity - 1;
        _shift = 64 - (int)Math.Log2(capacity);
        Array.Fill(_keys, EmptyKey);
        foreach ((long key, long value) in merges)
        {
            int slot = Slot(key);
            while (_keys[slot] != EmptyKey)
            {
                slot = (slot + 1) & _mask;
            }
            _keys[slot] = key;
            _values[slot] = value;
        }
    }

    public long Get(long key)
    {
        for (int slot = Slot(key); ; slot = (slot + 1) & _mask)
        {
            long found = _keys[slot];
            if (found == key)
            {
                return _values[slot];
            }
            if (found == EmptyKey)
            {
                return NotFound;
            }
        }
    }

    private int Slot(long key) => (int)((ulong)(key * -7046029254386353131L) >> _shift);
}
