namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Per-thread working memory of <see cref="BpeModel"/>: growable buffers (no per-call allocation or zeroing)
/// and the bounded caches of per-character merges and checked character bigrams.
/// </summary>
sealed class BpeScratch
{
    // Direct-mapped: a colliding bigram overwrites the slot and is simply checked again when it comes back.
    const int BigramSlotBits = 16;

    // BMP characters by index (the common case), astral ones in a dictionary.
    readonly CharMerge?[] bmpChars = new CharMerge?[65536];
    readonly Dictionary<int, CharMerge> astralChars = [];
    // Slot: (left << 21 | right) << 2 | 2 (occupied) | 1 (safe); code points need 21 bits, 0 is empty.
    readonly long[] _bigrams = new long[1 << BigramSlotBits];
    byte[] bytes = new byte[256];
    char[] utf16 = new char[256];
    long[] pairs = new long[256];

    public int[] Symbols { get; private set; } = new int[256];

    public int[] EnsureSymbols(int length)
    {
        if (Symbols.Length < length)
        {
            Symbols = new int[Math.Max(length, Symbols.Length * 2)];
        }
        return Symbols;
    }

    public long[] Pairs(int length) => pairs.Length >= length ? pairs : pairs = new long[Math.Max(length, pairs.Length * 2)];

    public Span<byte> Bytes(int length) => (bytes.Length >= length ? bytes : bytes = new byte[Math.Max(length, bytes.Length * 2)]).AsSpan(0, length);

    public Span<char> Chars(int length) => (utf16.Length >= length ? utf16 : utf16 = new char[Math.Max(length, utf16.Length * 2)]).AsSpan(0, length);

    public CharMerge CharMerge(int codePoint, BpeModel model)
    {
        if (codePoint < bmpChars.Length)
        {
            return bmpChars[codePoint] ??= model.MergeCharacter(codePoint);
        }
        if (!astralChars.TryGetValue(codePoint, out CharMerge? merge))
        {
            astralChars[codePoint] = merge = model.MergeCharacter(codePoint);
        }
        return merge;
    }

    public bool IsSafeBoundary(int leftCodePoint, int rightCodePoint, CharMerge left, CharMerge right, BpeModel model)
    {
        long key = ((long)leftCodePoint << 21) | (uint)rightCodePoint;
        ref long slot = ref _bigrams[(int)((ulong)(key * -7046029254386353131L) >> (64 - BigramSlotBits))];
        long entry = slot;
        if ((entry & 2) != 0 && entry >> 2 == key)
        {
            return (entry & 1) != 0;
        }
        bool safe = model.IsSafeBoundary(left, right);
        slot = (key << 2) | 2 | (safe ? 1L : 0L);
        return safe;
    }
}
