using System.Text.Json;
using MiniMind.Engine.IO;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Data;

/// <summary>
/// Computes <see cref="DatasetStatistics"/> in one streaming pass (parsing and tokenizing on every core), and caches
/// the result in <c>.cache/</c> beside the line index, keyed by kind, tokenizer and max_seq_len; a change of the file invalidates it.
/// </summary>
public static class DatasetAnalyzer
{
    const int Version = 1;

    sealed record Cached(int Version, long Length, long LastWriteTicks, DatasetStatistics Statistics);

    /// <summary>One record's contribution: per-sequence characters and lengths, turns and roles.</summary>
    sealed record Summary(long[] Characters, long[] Lengths, int Turns, string[] Roles);

    public static DatasetStatistics Analyze(string path, DatasetKind? kind = null, ByteLevelBpeTokenizer? tokenizer = null, int? maxSeqLen = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        using var file = DatasetFile.Open(path, progress is null ? null : new SynchronousProgress<double>(f => progress.Report(f * 0.05)), cancellationToken);
        var actualKind = kind ?? DatasetFormat.Detect(file);
        var key = tokenizer is null ? "chars" : TokenizerFingerprint.Of(tokenizer);
        var cachePath = CacheLocation.For(path, $".stats.{actualKind.ToString().ToLowerInvariant()}.{key}.{maxSeqLen?.ToString() ?? "none"}.json");
        var stamp = SourceStamp.Of(path);
        if (ReadCached(cachePath, stamp) is { } cached)
        {
            progress?.Report(1);
            return cached with { File = path };
        }
        var statistics = Compute(file, actualKind, tokenizer, maxSeqLen, progress, cancellationToken);
        CacheLocation.WriteAtomically(cachePath, s => JsonSerializer.Serialize(s, new Cached(Version, stamp.Length, stamp.LastWriteTicks, statistics)));
        return statistics;
    }

    static DatasetStatistics? ReadCached(string cachePath, SourceStamp stamp)
    {
        try
        {
            if (!File.Exists(cachePath)) return null;
            var cached = JsonSerializer.Deserialize<Cached>(File.ReadAllText(cachePath));
            return cached is not null && cached.Version == Version && new SourceStamp(cached.Length, cached.LastWriteTicks) == stamp ? cached.Statistics : null;
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            return null;
        }
    }

    static DatasetStatistics Compute(DatasetFile file, DatasetKind kind, ByteLevelBpeTokenizer? tokenizer, int? maxSeqLen,
        IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var conversations = tokenizer is not null && kind != DatasetKind.Pretrain ? new ConversationEncoder(tokenizer) : null;
        // Pretraining examples add bos and eos around the text.
        var added = kind == DatasetKind.Pretrain && tokenizer is not null ? 2 : 0;
        var tally = new RecordTally();
        long sequences = 0, characters = 0, tokens = 0, longest = 0, lengthSum = 0, truncated = 0;
        var histogram = new SortedDictionary<long, long>();
        var turns = new SortedDictionary<int, long>();
        var roles = new SortedDictionary<string, long>(StringComparer.Ordinal);

        Summary Summarize(DataRecord record)
        {
            switch (record)
            {
                case PretrainRecord p:
                    return new Summary([p.Text.Length], [tokenizer is null ? p.Text.Length : tokenizer.Encode(p.Text).Length + added], 0, []);
                case ConversationRecord c:
                    return new Summary([c.Characters], [Length(c.Messages)], c.Messages.Count, [.. c.Messages.Select(m => m.Role)]);
                case PreferenceRecord d:
                    return new Summary([new ConversationRecord(d.Chosen).Characters, new ConversationRecord(d.Rejected).Characters],
                        [Length(d.Chosen), Length(d.Rejected)], d.Chosen.Count, [.. d.Chosen.Select(m => m.Role)]);
                case PromptRecord q:
                    return new Summary([q.Characters], [Length(q.Messages)], q.Messages.Count, [.. q.Messages.Select(m => m.Role)]);
                default:
                    throw new InvalidOperationException($"unexpected record {record.GetType().Name}");
            }
        }

        long Length(IReadOnlyList<ChatMessage> messages) =>
            conversations is null ? new ConversationRecord(messages).Characters : conversations.Encode(messages).Length;

        RecordScanner.Scan(file, kind, Summarize, item =>
        {
            if (!tally.Add(item)) return;
            var summary = item.Value!;
            foreach (var c in summary.Characters) characters += c;
            foreach (var length in summary.Lengths)
            {
                sequences++;
                lengthSum += length;
                longest = Math.Max(longest, length);
                var bucket = DatasetStatistics.BucketOf(length);
                histogram[bucket] = histogram.GetValueOrDefault(bucket) + 1;
                if (tokenizer is not null)
                {
                    tokens += length;
                    if (maxSeqLen is { } max && length > max) truncated++;
                }
            }
            if (kind != DatasetKind.Pretrain) turns[summary.Turns] = turns.GetValueOrDefault(summary.Turns) + 1;
            foreach (var role in summary.Roles) roles[role] = roles.GetValueOrDefault(role) + 1;
        }, progress: progress is null ? null : new SynchronousProgress<double>(f => progress.Report(0.05 + 0.95 * f)), cancellationToken: cancellationToken);

        return new DatasetStatistics
        {
            File = file.Path,
            Kind = kind,
            Records = tally.ToStats(),
            Sequences = sequences,
            Characters = characters,
            Tokens = tokenizer is null ? null : tokens,
            LengthUnit = tokenizer is null ? "characters" : "tokens",
            MaxLength = longest,
            MeanLength = sequences == 0 ? 0 : (double)lengthSum / sequences,
            LengthHistogram = histogram,
            MaxSeqLen = tokenizer is null ? null : maxSeqLen,
            Truncated = tokenizer is null || maxSeqLen is null ? null : truncated,
            TurnsHistogram = turns,
            RoleCounts = roles,
        };
    }

    /// <summary>All problems of a file in order (validation), stopping after <paramref name="limit"/>; the counts cover the whole file.</summary>
    public static DataStats Validate(string path, DatasetKind? kind, Action<DataProblem> report, long limit = long.MaxValue, CancellationToken cancellationToken = default)
    {
        using var file = DatasetFile.Open(path, cancellationToken: cancellationToken);
        var actualKind = kind ?? DatasetFormat.Detect(file);
        var tally = new RecordTally();
        RecordScanner.Scan<bool>(file, actualKind, _ => true, item => tally.Add(item, problem =>
        {
            if (tally.Bad <= limit) report(problem);
        }), cancellationToken: cancellationToken);
        return tally.ToStats();
    }
}
