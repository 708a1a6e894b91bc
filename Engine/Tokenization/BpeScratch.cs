namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Per-thread working memory of <see cref="BpeModel"/>: growable buffers (no per-call allocation or zeroing)
/// and the bounded caches of per-character merges and checked character bigrams.
/// </summary>
internal sealed class BpeScratch
{
    private const int MaxCachedBigrams = 200_000;

    // BMP characters by index (the common case), astral ones in a dictionary.
    private readonly CharMerge?[] _bmpChars = new CharMerge?[65536];
    private readonly Dictionary<int, CharMerge> _astralChars = [];
    private readonly Dictionary<long, bool> _safeBigrams = new(PairKeyComparer.Instance);
    private byte[] _bytes = new byte[256];
    private char[] _utf16 = new char[256];
    private long[] _pairs = new long[256];

    public int[] Symbols { get; private set; } = new int[256];

    public int[] EnsureSymbols(int length)
    {
        if (Symbols.Length < length)
        {
            Symbols = new int[Math.Max(length, Symbols.Length * 2)];
        }
        return Symbols;
    }

    public long[] Pairs(int length) => _pairs.Length >= length ? _pairs : _pairs = new long[Math.Max(length, _pairs.Length * 2)];

    public Span<byte> Bytes(int length) => (_bytes.Length >= length ? _bytes : _bytes = new byte[Math.Max(length, _bytes.Length * 2)]).AsSpan(0, length);

    public Span<char> Chars(int length) => (_utf16.Length >= length ? _utf16 : _utf16 = new char[Math.Max(length, _utf16.Length * 2)]).AsSpan(0, length);

    public CharMerge CharMerge(int codePoint, BpeModel model)
    {
        if (codePoint < _bmpChars.Length)
        {
            return _bmpChars[codePoint] ??= model.MergeCharacter(codePoint);
        }
        if (!_astralChars.TryGetValue(codePoint, out CharMerge? merge))
        {
            _astralChars[codePoint] = merge = model.MergeCharacter(codePoint);
        }
        return merge;
    }

    public bool IsSafeBoundary(int leftCodePoint, int rightCodePoint, CharMerge left, CharMerge right, BpeModel model)
    {
        long key = BpeModel.PackPair(leftCodePoint, rightCodePoint);
        if (!_safeBigrams.TryGetValue(key, out bool safe))
        {
            if (_safeBigrams.Count >= MaxCachedBigrams)
            {
                _safeBigrams.Clear();
            }
            _safeBigrams[key] = safe = model.IsSafeBoundary(left, right);
        }
        return safe;
    }
}
