using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MiniMind.Engine.Data;
using MiniMind.Engine.Data.Demo;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Bench;

/// <summary>
/// Measures the data path on a generated pretraining file in a scratch folder (deleted afterwards): indexing speed,
/// random record reads after indexing, statistics with tokenization on every core, loader throughput from the
/// tokenized cache on one core, and the process's peak memory. Figures, not assertions: the machine's load shows in them.
/// </summary>
public static class DatasetBenchmark
{
    public sealed record Options(string Tokenizer, long IndexMegabytes = 2048, long StatsMegabytes = 128, int MaxSeqLen = 512,
        int BatchSize = 32, int RandomReads = 20_000, string? ScratchDir = null);

    public static Dictionary<string, object> Run(Options options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(options.Tokenizer);
        var scratch = Directory.CreateTempSubdirectory("minimind-bench-").FullName;
        if (options.ScratchDir is not null)
        {
            Directory.Delete(scratch);
            scratch = Path.Combine(options.ScratchDir, $"minimind-bench-{Guid.NewGuid():N}");
            Directory.CreateDirectory(scratch);
        }
        var result = new Dictionary<string, object>
        {
            ["machine"] = new Dictionary<string, object> { ["cores"] = Environment.ProcessorCount, ["load_average"] = LoadAverage() },
        };
        try
        {
            var big = Path.Combine(scratch, "pretrain_big.jsonl");
            progress?.Report($"writing {options.IndexMegabytes} MB of pretraining jsonl");
            var watch = Stopwatch.StartNew();
            WritePretrain(big, options.IndexMegabytes << 20, seed: 11);
            result["generate_seconds"] = Round(watch.Elapsed.TotalSeconds);
            var bytes = new FileInfo(big).Length;

            progress?.Report("indexing");
            watch.Restart();
            using (var index = LineIndex.Open(big, cancellationToken: cancellationToken))
            {
                var seconds = watch.Elapsed.TotalSeconds;
                result["index"] = new Dictionary<string, object>
                {
                    ["bytes"] = bytes,
                    ["lines"] = index.LineCount,
                    ["seconds"] = Round(seconds),
                    ["mb_per_s"] = Round(bytes / 1e6 / seconds),
                    ["note"] = "the file was just written, so it is (mostly) in the page cache: this is scan speed, not disk speed",
                };
            }
            using (var file = JsonlFile.Open(big))
            {
                var random = new Random(5);
                var latencies = new double[options.RandomReads];
                long sink = 0;
                for (var i = 0; i < latencies.Length; i++)
                {
                    var record = random.NextInt64(file.Count);
                    var start = Stopwatch.GetTimestamp();
                    sink += file.ReadBytes(record).Length;
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                Array.Sort(latencies);
                result["random_read_ms"] = new Dictionary<string, object>
                {
                    ["reads"] = latencies.Length,
                    ["p50"] = Round(latencies[latencies.Length / 2], 4),
                    ["p99"] = Round(latencies[(int)(latencies.Length * 0.99)], 4),
                    ["max"] = Round(latencies[^1], 4),
                    ["bytes_read"] = sink,
                };
            }
            File.Delete(big);

            var small = Path.Combine(scratch, "pretrain_stats.jsonl");
            WritePretrain(small, options.StatsMegabytes << 20, seed: 12);
            var smallBytes = new FileInfo(small).Length;
            progress?.Report($"statistics with tokenization on {options.StatsMegabytes} MB");
            watch.Restart();
            var stats = DatasetAnalyzer.Analyze(small, DatasetKind.Pretrain, tokenizer, options.MaxSeqLen, cancellationToken: cancellationToken);
            var statsSeconds = watch.Elapsed.TotalSeconds;
            result["statistics"] = new Dictionary<string, object>
            {
                ["bytes"] = smallBytes,
                ["records"] = stats.Records.Records,
                ["tokens"] = stats.Tokens ?? 0,
                ["seconds"] = Round(statsSeconds),
                ["mb_per_s"] = Round(smallBytes / 1e6 / statsSeconds),
                ["tokens_per_s"] = Round((stats.Tokens ?? 0) / statsSeconds, 0),
                ["threads"] = Environment.ProcessorCount,
            };

            progress?.Report("tokenized cache and loader");
            watch.Restart();
            using var loader = DataLoader.Open(small, tokenizer, new DataLoaderOptions
            {
                Kind = DatasetKind.Pretrain, MaxSeqLen = options.MaxSeqLen, BatchSize = options.BatchSize, Seed = 1, Packed = true,
            }, cancellationToken: cancellationToken);
            var cacheSeconds = watch.Elapsed.TotalSeconds;
            var batches = (int)Math.Min(loader.BatchesPerEpoch, 400);
            // One core: build the batches directly on this thread, in shuffled order.
            watch.Restart();
            long tokens = 0;
            for (var b = 0; b < batches; b++) tokens += loader.Batch(0, b, 1).Inputs.Length;
            var oneCore = watch.Elapsed.TotalSeconds;
            watch.Restart();
            long prefetched = 0;
            foreach (var (batch, _) in loader.Batches(cancellationToken).Take(batches)) prefetched += batch.Inputs.Length;
            var withPrefetch = watch.Elapsed.TotalSeconds;
            result["loader"] = new Dictionary<string, object>
            {
                ["tokenize_to_cache_seconds"] = Round(cacheSeconds),
                ["batches"] = batches,
                ["batch_shape"] = $"{options.BatchSize}x{loader.Length}",
                ["one_core_tokens_per_s"] = Round(tokens / oneCore, 0),
                ["prefetch_tokens_per_s"] = Round(prefetched / withPrefetch, 0),
            };
            result["peak_memory_mb"] = Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1);
            return result;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Writes about <paramref name="bytes"/> of pretraining lines built from the demo world's sentences.</summary>
    static void WritePretrain(string path, long bytes, ulong seed)
    {
        var sentences = DemoFacts.All().SelectMany(f => f.Statements).ToArray();
        var random = new DemoRandom(seed);
        var encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        long written = 0;
        var text = new StringBuilder();
        while (written < bytes)
        {
            text.Clear();
            var count = 4 + random.Below(24);
            for (var i = 0; i < count; i++) text.Append(sentences[random.Below(sentences.Length)]).Append(' ');
            var line = "{\"text\": \"" + encoder.Encode(text.ToString()) + "\"}";
            writer.Write(line);
            writer.Write('\n');
            written += Encoding.UTF8.GetByteCount(line) + 1;
        }
    }

    static double Round(double value, int digits = 2) => Math.Round(value, digits);

    static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
