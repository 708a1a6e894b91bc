using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// A byte-level BPE tokenizer loaded from HF <c>tokenizer.json</c> (+ <c>tokenizer_config.json</c>), encoding
/// and decoding exactly like HF <c>tokenizers</c>' <c>encode(text, add_special_tokens=False)</c> / <c>decode</c>:
/// added tokens are cut out first, each remaining segment is normalized, pre-tokenized, and BPE-encoded.
/// Thread-safe; each thread keeps its own pre-token cache.
/// </summary>
public sealed class ByteLevelBpeTokenizer
{
    const int CacheCapacity = 50_000;

    readonly TokenizerJson _definition;
    readonly AddedTokenMatcher addedTokens;
    readonly string[] idToToken;
    readonly byte[][] idToBytes;
    readonly bool[] isSpecial;
    readonly ThreadLocal<EncodeScratch> _scratch = new(() => new EncodeScratch());

    ByteLevelBpeTokenizer(TokenizerJson definition, TokenizerConfig config)
    {
        _definition = definition;
        addedTokens = new AddedTokenMatcher(definition.AddedTokens);
        VocabSize = definition.Vocab.Values.Max() + 1;
        idToToken = new string[VocabSize];
        foreach ((string token, int id) in definition.Vocab)
        {
            idToToken[id] = token;
        }
        idToBytes = idToToken.Select(t => t == null ? [] : ByteLevelAlphabet.DecodeToken(t)).ToArray();
        isSpecial = new bool[VocabSize];
        foreach (AddedToken token in definition.AddedTokens.Where(t => t.Special))
        {
            isSpecial[token.Id] = true;
        }
        SpecialTokens = definition.AddedTokens.Where(t => t.Special).OrderBy(t => t.Id).Select(t => t.Content).ToArray();
        LongestTokenLength = Math.Max(1, idToBytes.Select(b => b.Length).Concat(definition.AddedTokens.Select(t => t.Content.Length)).DefaultIfEmpty(1).Max());
        ChatTemplate = config.ChatTemplate;

        BosToken = FirstKnown(config.Bos, "<s>", "<|begin_of_text|>", "<|endoftext|>");
        EosToken = FirstKnown(config.Eos, "</s>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>");
        UnkToken = FirstKnown(config.Unk, definition.UnkToken, "<unk>");
        PadToken = FirstKnown(config.Pad, "<pad>", "<|pad|>", UnkToken, EosToken);
    }

    public int VocabSize { get; }

    /// <summary>The most text one token stands for, in UTF-8 bytes (or characters, for an added token): a text of n such units is at least n / this many tokens.</summary>
    public int LongestTokenLength { get; }

    /// <summary>Added tokens flagged <c>special</c>, by id.</summary>
    public IReadOnlyList<string> SpecialTokens { get; }

    /// <summary>The Jinja <c>chat_template</c> of tokenizer_config.json, or null.</summary>
    public string? ChatTemplate { get; }

    public string? BosToken { get; }

    public string? EosToken { get; }

    public string? PadToken { get; }

    public string? UnkToken { get; }

    public int? BosId => IdOf(BosToken);

    public int? EosId => IdOf(EosToken);

    public int? PadId => IdOf(PadToken);

    public int? UnkId => IdOf(UnkToken);

    /// <summary>
    /// Loads a directory holding <c>tokenizer.json</c> (and optionally <c>tokenizer_config.json</c>), or a
    /// <c>tokenizer.json</c> path whose directory may hold the config.
    /// </summary>
    public static ByteLevelBpeTokenizer Load(string dirOrTokenizerJsonPath)
    {
        string jsonPath = Directory.Exists(dirOrTokenizerJsonPath)
            ? Path.Combine(dirOrTokenizerJsonPath, "tokenizer.json")
            : dirOrTokenizerJsonPath;
        if (!File.Exists(jsonPath))
        {
            throw new FileNotFoundException($"No tokenizer.json at '{jsonPath}'", jsonPath);
        }
        string dir = Path.GetDirectoryName(Path.GetFullPath(jsonPath))!;
        string configPath = Path.Combine(dir, "tokenizer_config.json");
        TokenizerConfig config = File.Exists(configPath) ? TokenizerConfig.Read(configPath) : TokenizerConfig.Empty;
        // newer transformers save the template beside the config as chat_template.jinja instead of inside it
        string templatePath = Path.Combine(dir, "chat_template.jinja");
        if (config.ChatTemplate is null && File.Exists(templatePath)) config = config with { ChatTemplate = File.ReadAllText(templatePath) };
        return new ByteLevelBpeTokenizer(TokenizerJson.Read(jsonPath), config);
    }

    public int? TokenToId(string token) => _definition.Vocab.TryGetValue(token, out int id) ? id : null;

    /// <summary>The raw vocabulary string of <paramref name="id"/> (byte-level form, e.g. <c>Ġthe</c>).</summary>
    public string IdToToken(int id)
    {
        CheckId(id);
        return idToToken[id];
    }

    /// <summary>Token ids of <paramref name="text"/>; no bos/eos added, special token strings map to their ids.</summary>
    public int[] Encode(string text)
    {
        EncodeScratch scratch = _scratch.Value!;
        EncodeCore(text, scratch);
        return scratch.Output.AsSpan().ToArray();
    }

    /// <summary>Encodes <paramref name="text"/> into the thread's reusable id buffer (cleared first).</summary>
    void EncodeCore(string text, EncodeScratch scratch)
    {
        IdBuffer output = scratch.Output;
        output.Clear();
        addedTokens.Split(text, scratch.Segments);
        foreach (TextSegment segment in scratch.Segments)
        {
            if (segment.Token is { } token)
            {
                output.Add(token.Id);
                continue;
            }
            ReadOnlyMemory<char> plain = _definition.Normalizer is { } normalizer
                ? normalizer.Apply(text.Substring(segment.Start, segment.Length)).AsMemory()
                : text.AsMemory(segment.Start, segment.Length);
            _definition.PreTokenizer.Split(plain, scratch.Pieces, scratch.PieceScratch);
            foreach (ReadOnlyMemory<char> piece in scratch.Pieces)
            {
                EncodePiece(piece.Span, scratch, output);
            }
        }
    }

    /// <summary>Encodes many texts in parallel on all cores (dataset tokenization); results keep input order.</summary>
    public int[][] EncodeBatch(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        var results = new int[texts.Count][];
        var options = new ParallelOptions { CancellationToken = cancellationToken };
        // Contiguous chunks: one delegate call and scratch lookup per chunk, and each worker writes its own
        // stretch of results rather than interleaving with the others on the same cache lines.
        int chunk = Math.Clamp(texts.Count / (Environment.ProcessorCount * 8), 1, 64);
        Parallel.ForEach(Partitioner.Create(0, texts.Count, chunk), options, range =>
        {
            for (int i = range.Item1; i < range.Item2; i++)
            {
                results[i] = Encode(texts[i]);
            }
        });
        return results;
    }

    /// <summary>
    /// Text of <paramref name="ids"/> as HF decodes it: token bytes concatenated, invalid UTF-8 replaced by U+FFFD.
    /// </summary>
    /// <exception cref="ArgumentException">An id outside the vocabulary.</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (AppendsBytes(id, skipSpecialTokens))
            {
                bytes.AddRange(idToBytes[id]);
            }
        }
        return Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(bytes));
    }

    /// <summary>A decoder for ids arriving one at a time (generation), emitting only complete characters.</summary>
    public StreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false) => new(this, skipSpecialTokens);

    /// <summary>The bytes <paramref name="id"/> decodes to, or empty when it is a skipped special token.</summary>
    internal ReadOnlySpan<byte> BytesOf(int id, bool skipSpecialTokens) =>
        AppendsBytes(id, skipSpecialTokens) ? idToBytes[id] : [];

    bool AppendsBytes(int id, bool skipSpecialTokens)
    {
        CheckId(id);
        return !(skipSpecialTokens && isSpecial[id]);
    }

    void CheckId(int id)
    {
        if ((uint)id >= (uint)VocabSize || idToToken[id] == null)
        {
            throw new ArgumentException($"Token id {id} is not in the vocabulary (size {VocabSize}).", nameof(id));
        }
    }

    void EncodePiece(ReadOnlySpan<char> piece, EncodeScratch scratch, IdBuffer output)
    {
        if (scratch.Cache.TryGet(piece, out ReadOnlySpan<int> cached))
        {
            output.AddRange(cached);
            return;
        }
        ReadOnlySpan<int> ids = _definition.Model.Encode(piece, scratch.Bpe);
        output.AddRange(ids);
        scratch.Cache.Add(piece, ids);
    }

    string? FirstKnown(params string?[] candidates) =>
        candidates.FirstOrDefault(c => c != null && _definition.Vocab.ContainsKey(c)) ?? candidates[0];

    int? IdOf(string? token) => token == null ? null : TokenToId(token);

    /// <summary>Per-thread working buffers and cache, so encoding allocates little and never locks.</summary>
    sealed class EncodeScratch
    {
        public List<TextSegment> Segments { get; } = [];

        public List<ReadOnlyMemory<char>> Pieces { get; } = [];

        public List<ReadOnlyMemory<char>> PieceScratch { get; } = [];

        public PieceCache Cache { get; } = new(CacheCapacity);

        public BpeScratch Bpe { get; } = new();

        public IdBuffer Output { get; } = new();
    }

    /// <summary>A growable id array reused across calls (a <see cref="List{T}"/> without the version checks).</summary>
    sealed class IdBuffer
    {
        int[] items = new int[1024];
        int count;

        public void Clear() => count = 0;

        public ReadOnlySpan<int> AsSpan() => items.AsSpan(0, count);

        public void Add(int id)
        {
            if (count == items.Length)
            {
                Array.Resize(ref items, items.Length * 2);
            }
            items[count++] = id;
        }

        public void AddRange(ReadOnlySpan<int> ids)
        {
            if (count + ids.Length > items.Length)
            {
                Array.Resize(ref items, Math.Max(count + ids.Length, items.Length * 2));
            }
            ids.CopyTo(items.AsSpan(count));
            count += ids.Length;
        }
    }
}
