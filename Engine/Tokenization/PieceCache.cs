using System.Numerics;
using System.Runtime.InteropServices;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Bounded pre-token -> ids cache (HF's BPE keeps a similar word cache). Words repeat heavily in real text,
/// so most pre-tokens skip BPE entirely. One instance per thread, so no locking; when full it is cleared,
/// which keeps memory bounded while adapting to the current document mix.
/// </summary>
/// <remarks>
/// An open-addressing table over flat arrays, keyed by the UTF-16 span itself: a hit allocates nothing and a
/// miss copies the key chars and ids into pools, so the cache holds no per-entry objects for the GC to
/// trace (reference-holding caches that churn make every gen0 collection scan them through the card table).
/// </remarks>
sealed class PieceCache
{
    // Long pieces (e.g. whole CJK clauses) rarely repeat; caching them would only churn the table.
    const int MaxCachedLength = 48;

    // CJK pieces up to this length (a word or two between punctuation) do repeat.
    const int MaxCachedCjkLength = 6;

    readonly int _capacity;
    readonly int mask;
    readonly Slot[] _slots;
    readonly char[] _chars;
    readonly int[] _ids;
    int count;
    int charCount;
    int idCount;

    public PieceCache(int capacity)
    {
        _capacity = capacity;
        int slots = (int)BitOperations.RoundUpToPowerOf2((uint)capacity * 2);
        mask = slots - 1;
        _slots = new Slot[slots];
        // Pools sized for typical pieces (a few chars, about as many ids); overflowing them clears the cache too.
        _chars = new char[capacity * 8];
        _ids = new int[capacity * 4];
    }

    public bool TryGet(ReadOnlySpan<char> piece, out ReadOnlySpan<int> ids)
    {
        if (piece.Length <= MaxCachedLength)
        {
            int hash = Hash(piece);
            for (int i = hash & mask; ; i = (i + 1) & mask)
            {
                ref Slot slot = ref _slots[i];
                if (slot.KeyLength == 0)
                {
                    break;
                }
                if (slot.Hash == hash && slot.KeyLength == piece.Length
                    && piece.SequenceEqual(_chars.AsSpan(slot.KeyStart, slot.KeyLength)))
                {
                    ids = _ids.AsSpan(slot.IdStart, slot.IdCount);
                    return true;
                }
            }
        }
        ids = default;
        return false;
    }

    public void Add(ReadOnlySpan<char> piece, ReadOnlySpan<int> ids)
    {
        if (piece.Length is 0 or > MaxCachedLength || ids.Length > _ids.Length)
        {
            return;
        }
        if (piece.Length > MaxCachedCjkLength && piece.ContainsAnyInRange('\u2E80', '\u9FFF'))
        {
            // CJK text has no spaces, so its pre-tokens are whole clauses that almost never repeat; caching
            // them only fills the table and clears the words that do repeat (measured: ~+25% on mixed text).
            return;
        }
        int hash = Hash(piece);
        if (count >= _capacity || charCount + piece.Length > _chars.Length || idCount + ids.Length > _ids.Length)
        {
            Array.Clear(_slots);
            count = charCount = idCount = 0;
        }
        int i = hash & mask;
        while (_slots[i].KeyLength != 0)
        {
            i = (i + 1) & mask;
        }
        piece.CopyTo(_chars.AsSpan(charCount));
        ids.CopyTo(_ids.AsSpan(idCount));
        _slots[i] = new Slot(hash, charCount, idCount, (short)piece.Length, (short)ids.Length);
        charCount += piece.Length;
        idCount += ids.Length;
        count++;
    }

    /// <summary>A fast non-cryptographic hash of the chars (an empty slot has key length 0).</summary>
    static int Hash(ReadOnlySpan<char> piece)
    {
        ulong h = (ulong)piece.Length * 0x9E3779B97F4A7C15;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<char, ulong>(piece);
        foreach (ulong w in words)
        {
            h = (h ^ w) * 0xFF51AFD7ED558CCD;
            h ^= h >> 29;
        }
        for (int i = words.Length * 4; i < piece.Length; i++)
        {
            h = (h ^ piece[i]) * 0xC4CEB9FE1A85EC53;
        }
        h ^= h >> 32;
        return (int)h;
    }

    // 16 bytes: pieces are at most MaxCachedLength chars, so their lengths and id counts fit a short.
    readonly record struct Slot(int Hash, int KeyStart, int IdStart, short KeyLength, short IdCount);
}
