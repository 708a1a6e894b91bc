using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Data;

/// <summary>
/// The token ids of every usable record of a dataset file (jsonl or Parquet), stored once in <c>.cache/</c> so second epochs and resumed
/// runs skip parsing and tokenization: <c>NAME.KIND.FINGERPRINT.tok</c> (ids, uint16 when the vocabulary fits, else
/// int32), <c>.off</c> (int64 start of each entry, plus the end) and <c>.json</c> (metadata, written last). It is rebuilt
/// when the file's size or modification time, the tokenizer, or the format version changes.
/// Entries: pretrain, <c>bos + text + eos</c> per record (packing concatenates them as they are); SFT and reasoning, the
/// rendered conversation; DPO, two per record (chosen at 2i, rejected at 2i+1). Bad records are skipped and counted.
/// </summary>
public sealed class TokenCache : IDisposable
{
    readonly MemoryMappedFile? tokensMap, offsetsMap;
    readonly MemoryMappedViewAccessor? tokens, offsets;

    TokenCache(TokenCacheInfo info, string basePath)
    {
        Info = info;
        BasePath = basePath;
        // Memory-mapping an empty file is not allowed; a cache without entries never reads.
        if (info.Tokens > 0)
        {
            tokensMap = MemoryMappedFile.CreateFromFile(basePath + ".tok", FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            tokens = tokensMap.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        }
        offsetsMap = MemoryMappedFile.CreateFromFile(basePath + ".off", FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        offsets = offsetsMap.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
    }

    public TokenCacheInfo Info { get; }

    /// <summary>The cache's path without its extension (<c>.tok</c>, <c>.off</c>, <c>.json</c>).</summary>
    public string BasePath { get; }

    /// <summary>Whether <see cref="Open"/> reused a cache built earlier.</summary>
    public bool FromCache { get; private init; }

    public long Count => Info.Entries;

    public long TotalTokens => Info.Tokens;

    /// <summary>Start of entry <paramref name="entry"/> in the concatenated token stream (<c>StartOf(Count)</c> = total tokens).</summary>
    public long StartOf(long entry) => offsets!.ReadInt64(entry * 8);

    public int LengthOf(long entry) => (int)(StartOf(entry + 1) - StartOf(entry));

    /// <summary>Copies tokens [<paramref name="start"/>, start + destination.Length) of the concatenated stream.</summary>
    public void CopyTokens(long start, Span<int> destination)
    {
        if (destination.Length == 0) return;
        if (Info.TokenBytes == 4)
        {
            for (var i = 0; i < destination.Length; i++) destination[i] = tokens!.ReadInt32((start + i) * 4);
            return;
        }
        var shorts = new ushort[Math.Min(destination.Length, 4096)];
        for (var done = 0; done < destination.Length; done += shorts.Length)
        {
            var n = Math.Min(shorts.Length, destination.Length - done);
            tokens!.ReadArray((start + done) * 2, shorts, 0, n);
            for (var i = 0; i < n; i++) destination[done + i] = shorts[i];
        }
    }

    /// <summary>Opens the cache of <paramref name="file"/> for <paramref name="kind"/> and <paramref name="tokenizer"/>, building it when missing or stale.</summary>
    /// <remarks>
    /// <paramref name="processing"/> (conversations only) changes the tokens, so each setting gets a cache of its own
    /// (its <see cref="ChatProcessing.Key"/> in the name).
    /// </remarks>
    public static TokenCache Open(DatasetFile file, DatasetKind kind, ByteLevelBpeTokenizer tokenizer,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default, ChatProcessing? processing = null)
    {
        if (kind == DatasetKind.Pretrain || processing is { IsNone: true }) processing = null;
        var fingerprint = TokenizerFingerprint.Of(tokenizer);
        var stamp = SourceStamp.Of(file.Path);
        var processed = processing is null ? "" : "." + processing.Key;
        var basePath = CacheLocation.For(file.Path, $".{kind.ToString().ToLowerInvariant()}.{fingerprint}{processed}");
        if (ReadValid(basePath, stamp, fingerprint, kind) is { } info) return new TokenCache(info, basePath) { FromCache = true };
        var built = Build(file, kind, tokenizer, stamp, fingerprint, basePath, processing, progress, cancellationToken);
        return new TokenCache(built, basePath);
    }

    static TokenCacheInfo? ReadValid(string basePath, SourceStamp stamp, string fingerprint, DatasetKind kind)
    {
        try
        {
            if (!File.Exists(basePath + ".json")) return null;
            var info = JsonSerializer.Deserialize<TokenCacheInfo>(File.ReadAllText(basePath + ".json"));
            if (info is null || info.Version != TokenCacheInfo.CurrentVersion || info.Tokenizer != fingerprint || info.Kind != kind) return null;
            if (new SourceStamp(info.SourceLength, info.SourceLastWriteTicks) != stamp) return null;
            if (new FileInfo(basePath + ".tok").Length != info.Tokens * info.TokenBytes) return null;
            if (new FileInfo(basePath + ".off").Length != (info.Entries + 1) * 8) return null;
            return info;
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            return null;
        }
    }

    static TokenCacheInfo Build(DatasetFile file, DatasetKind kind, ByteLevelBpeTokenizer tokenizer, SourceStamp stamp, string fingerprint,
        string basePath, ChatProcessing? processing, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        File.Delete(basePath + ".json"); // the metadata goes last: without it, half-written ids are never trusted
        var tokenBytes = tokenizer.VocabSize <= 65536 ? 2 : 4;
        var encode = EncoderFor(kind, tokenizer, processing);
        long entries = 0, total = 0;
        var tally = new RecordTally();
        CacheLocation.WriteAtomically(basePath + ".tok", tokenStream =>
            CacheLocation.WriteAtomically(basePath + ".off", offsetStream =>
            {
                var offsetWriter = new BinaryWriter(offsetStream);
                offsetWriter.Write(0L);
                RecordScanner.Scan(file, kind, encode, item =>
                {
                    if (!tally.Add(item)) return;
                    foreach (var sequence in item.Value!)
                    {
                        WriteTokens(tokenStream, sequence, tokenBytes);
                        total += sequence.Length;
                        entries++;
                        offsetWriter.Write(total);
                    }
                }, progress: progress, cancellationToken: cancellationToken);
                offsetWriter.Flush();
            }));
        var info = new TokenCacheInfo(TokenCacheInfo.CurrentVersion, stamp.Length, stamp.LastWriteTicks, fingerprint, kind, tokenBytes,
            entries, total, tally.ToStats());
        CacheLocation.WriteAtomically(basePath + ".json", s => JsonSerializer.Serialize(s, info));
        return info;
    }

    /// <summary>The token sequences one record contributes, by kind.</summary>
    static Func<DataRecord, long, int[][]> EncoderFor(DatasetKind kind, ByteLevelBpeTokenizer tokenizer, ChatProcessing? processing)
    {
        if (kind == DatasetKind.Pretrain)
        {
            var bos = tokenizer.BosId ?? throw new InvalidDataException("the tokenizer has no bos token: pretraining examples need one");
            var eos = tokenizer.EosId ?? throw new InvalidDataException("the tokenizer has no eos token: pretraining examples need one");
            return (record, _) =>
            {
                var text = tokenizer.Encode(((PretrainRecord)record).Text);
                var sequence = new int[text.Length + 2];
                sequence[0] = bos;
                text.CopyTo(sequence, 1);
                sequence[^1] = eos;
                return [sequence];
            };
        }
        var conversations = new ConversationEncoder(tokenizer);
        if (kind == DatasetKind.Dpo)
        {
            // as the original's DPODataset: no system prompts mixed in, each side's empty think blocks drawn apart
            return (record, line) =>
            {
                var pair = (PreferenceRecord)record;
                return [conversations.Encode(pair.Chosen, processing, line, 0, mixSystemPrompt: false),
                        conversations.Encode(pair.Rejected, processing, line, 1, mixSystemPrompt: false)];
            };
        }
        return (record, line) => [conversations.Encode(((ConversationRecord)record).Messages, processing, line)];
    }

    static void WriteTokens(Stream stream, int[] sequence, int tokenBytes)
    {
        if (tokenBytes == 4)
        {
            stream.Write(MemoryMarshal.AsBytes(sequence.AsSpan()));
            return;
        }
        Span<ushort> narrow = sequence.Length <= 2048 ? stackalloc ushort[sequence.Length] : new ushort[sequence.Length];
        for (var i = 0; i < sequence.Length; i++) narrow[i] = (ushort)sequence[i];
        stream.Write(MemoryMarshal.AsBytes(narrow));
    }

    public void Dispose()
    {
        tokens?.Dispose();
        tokensMap?.Dispose();
        offsets?.Dispose();
        offsetsMap?.Dispose();
    }
}
