using System.Text;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// HF's <c>models::bpe::BPE</c> for byte-level vocabularies: a pre-token's UTF-8 bytes start as one symbol
/// each, then the adjacent pair with the lowest merge rank is merged (leftmost first on ties) until no pair
/// has a merge, which is the order <c>Word::merge_all</c>'s priority queue produces.
/// </summary>
/// <remarks>
/// Speed-up for multi-byte text (CJK): when no pair spanning two adjacent characters can rank below the
/// merges inside them, BPE finishes every character before any cross-character merge, so starting from the
/// per-character results gives the identical output with far fewer steps. That condition is checked exactly
/// per character bigram (and cached); otherwise the plain byte-level path runs.
/// </remarks>
sealed class BpeModel
{
    const long NoMerge = MergeTable.NotFound;

    readonly MergeTable _merges;
    readonly int[] byteIds;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>>? wholeWordLookup;
    readonly int? unkId;

    public BpeModel(IReadOnlyDictionary<string, int> vocab, Dictionary<long, long> merges, bool ignoreMerges, int? unkId)
    {
        _merges = new MergeTable(merges);
        this.unkId = unkId;
        byteIds = new int[256];
        for (int b = 0; b < 256; b++)
        {
            byteIds[b] = vocab.TryGetValue(ByteLevelAlphabet.ToChar((byte)b).ToString(), out int id) ? id : -1;
        }
        if (ignoreMerges)
        {
            wholeWordLookup = new Dictionary<string, int>(vocab).GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    /// <summary>Packs a merge for the merge table.</summary>
    public static long PackPair(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Packs a merge's rank and result id for the merge table.</summary>
    public static long PackMerge(int rank, int mergedId) => ((long)rank << 32) | (uint)mergedId;

    /// <summary>The ids of one pre-token, in <paramref name="scratch"/>'s buffer (valid until its next use).</summary>
    public ReadOnlySpan<int> Encode(ReadOnlySpan<char> piece, BpeScratch scratch)
    {
        if (wholeWordLookup is { } lookup && TryWholeWord(lookup, piece, scratch, out int wholeId))
        {
            // ignore_merges (Llama-3/Qwen style): a pre-token that is itself in the vocab is emitted as is.
            scratch.Symbols[0] = wholeId;
            return scratch.Symbols.AsSpan(0, 1);
        }
        int count = piece.ContainsAnyExceptInRange('\0', '\u007F') && TryCharacterStart(piece, scratch, out int charCount)
            ? charCount
            : ByteStart(piece, scratch);
        count = MergeAll(scratch.Symbols, scratch.Pairs(count), count);
        return scratch.Symbols.AsSpan(0, count);
    }

    int ByteStart(ReadOnlySpan<char> piece, BpeScratch scratch)
    {
        Span<byte> bytes = scratch.Bytes(Encoding.UTF8.GetMaxByteCount(piece.Length));
        int length = Encoding.UTF8.GetBytes(piece, bytes);
        int[] symbols = scratch.EnsureSymbols(length);
        int count = 0;
        foreach (byte b in bytes[..length])
        {
            // Like HF: a byte missing from the vocab becomes unk when there is one, otherwise it is dropped.
            int id = byteIds[b] >= 0 ? byteIds[b] : unkId ?? -1;
            if (id >= 0)
            {
                symbols[count++] = id;
            }
        }
        return count;
    }

    bool TryCharacterStart(ReadOnlySpan<char> piece, BpeScratch scratch, out int count)
    {
        int[] symbols = scratch.EnsureSymbols(piece.Length * 3);
        count = 0;
        CharMerge? previous = null;
        int previousCodePoint = 0;
        for (int i = 0; i < piece.Length;)
        {
            int codePoint = piece[i];
            if (char.IsSurrogate((char)codePoint))
            {
                // Like EnumerateRunes (and the UTF-8 encoder): a lone surrogate stands for U+FFFD.
                Rune.DecodeFromUtf16(piece[i..], out Rune rune, out int consumed);
                codePoint = rune.Value;
                i += consumed;
            }
            else
            {
                i++;
            }
            CharMerge current = scratch.CharMerge(codePoint, this);
            if (current.MaxRank == long.MaxValue) return false; // a character whose bytes the vocabulary lacks: the byte path handles it
            if (previous != null && !scratch.IsSafeBoundary(previousCodePoint, codePoint, previous, current, this))
            {
                return false;
            }
            int[] tokens = current.Tokens;
            if (tokens.Length == 1)
            {
                symbols[count++] = tokens[0];
            }
            else
            {
                tokens.CopyTo(symbols, count);
                count += tokens.Length;
            }
            previous = current;
            previousCodePoint = codePoint;
        }
        return true;
    }

    /// <summary>BPE of one code point alone, with the states needed for the boundary check.</summary>
    internal CharMerge MergeCharacter(int codePoint)
    {
        Span<byte> bytes = stackalloc byte[4];
        int length = new Rune(codePoint).EncodeToUtf8(bytes);
        var symbols = new int[length];
        for (int i = 0; i < length; i++)
        {
            symbols[i] = byteIds[bytes[i]] >= 0 ? byteIds[bytes[i]] : unkId ?? -1;
        }
        if (symbols.Contains(-1))
        {
            // Dropped bytes change neighbours; leave such characters to the byte path.
            return new CharMerge([], long.MaxValue, [], []);
        }
        var pairs = new long[length];
        var first = new List<int> { symbols[0] };
        var last = new List<int> { symbols[^1] };
        long maxRank = -1;
        int count = length;
        for (int i = 0; i < count - 1; i++)
        {
            pairs[i] = Lookup(symbols[i], symbols[i + 1]);
        }
        while (count > 1 && MergeStep(symbols, pairs, ref count) is long merge and not NoMerge)
        {
            maxRank = merge >> 32;
            first.Add(symbols[0]);
            last.Add(symbols[count - 1]);
        }
        return new CharMerge(symbols[..count], maxRank, [.. first.Distinct()], [.. last.Distinct()]);
    }

    /// <summary>True when no pair across <paramref name="left"/>|<paramref name="right"/> can merge before both are complete.</summary>
    internal bool IsSafeBoundary(CharMerge left, CharMerge right)
    {
        long bound = Math.Max(left.MaxRank, right.MaxRank);
        if (bound == long.MaxValue)
        {
            return false;
        }
        foreach (int a in left.LastStates)
        {
            foreach (int b in right.FirstStates)
            {
                if (Lookup(a, b) >> 32 <= bound)
                {
                    return false;
                }
            }
        }
        return true;
    }

    int MergeAll(int[] symbols, long[] pairs, int count)
    {
        for (int i = 0; i < count - 1; i++)
        {
            pairs[i] = Lookup(symbols[i], symbols[i + 1]);
        }
        while (count > 1 && MergeStep(symbols, pairs, ref count) != NoMerge)
        {
        }
        return count;
    }

    /// <summary>Merges the lowest-ranked (leftmost) pair in place; returns its packed merge, or <see cref="NoMerge"/>.</summary>
    long MergeStep(int[] symbols, long[] pairs, ref int count)
    {
        int best = 0;
        long merge = pairs[0];
        for (int i = 1; i < count - 1; i++)
        {
            if (pairs[i] < merge)
            {
                merge = pairs[i];
                best = i;
            }
        }
        if (merge == NoMerge)
        {
            return NoMerge;
        }
        symbols[best] = (int)merge;
        Array.Copy(symbols, best + 2, symbols, best + 1, count - best - 2);
        if (count - best - 3 > 0)
        {
            Array.Copy(pairs, best + 2, pairs, best + 1, count - best - 3);
        }
        count--;
        if (best > 0)
        {
            pairs[best - 1] = Lookup(symbols[best - 1], symbols[best]);
        }
        if (best < count - 1)
        {
            pairs[best] = Lookup(symbols[best], symbols[best + 1]);
        }
        return merge;
    }

    long Lookup(int left, int right) => _merges.Get(PackPair(left, right));

    static bool TryWholeWord(Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup, ReadOnlySpan<char> piece, BpeScratch scratch, out int id)
    {
        Span<byte> bytes = scratch.Bytes(Encoding.UTF8.GetMaxByteCount(piece.Length));
        int length = Encoding.UTF8.GetBytes(piece, bytes);
        Span<char> chars = scratch.Chars(length);
        for (int i = 0; i < length; i++)
        {
            chars[i] = ByteLevelAlphabet.ToChar(bytes[i]);
        }
        return lookup.TryGetValue(chars[..length], out id);
    }
}
