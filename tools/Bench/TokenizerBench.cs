using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MiniMind.Engine.Tokenization;
using MiniMind.Studio.Cli;

namespace MiniMind.Bench;

/// <summary>
/// <c>bench tokenizer</c>: encode throughput on ~2 KB mixed Chinese/English documents (one thread and all
/// cores; median of three timed passes after two warm-up passes, per wall-clock and per CPU second), and BPE training time for a
/// 6400-token vocabulary on a generated corpus. Prints one JSON line per measurement.
/// </summary>
public static class TokenizerBench
{
    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "Tokenizer to encode with", DefaultValueFactory = _ => "dataset/minimind_tokenizer" };
        var documents = new Option<int>("--documents") { Description = "Documents of ~2 KB to encode", DefaultValueFactory = _ => 4000 };
        var trainMegabytes = new Option<int>("--train-mb") { Description = "Size of the generated training corpus in MB (0 skips training)", DefaultValueFactory = _ => 100 };
        var vocab = new Option<int>("--vocab-size") { Description = "Vocabulary to train", DefaultValueFactory = _ => 6400 };
        var command = new Command("tokenizer", "Encode throughput and BPE training time") { tokenizer, documents, trainMegabytes, vocab };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            Encode(output, ByteLevelBpeTokenizer.Load(StudioCli.ResolvePath(parse.GetValue(tokenizer)!)), parse.GetValue(documents));
            if (parse.GetValue(trainMegabytes) > 0) Train(output, parse.GetValue(trainMegabytes), parse.GetValue(vocab));
            return 0;
        }));
        return command;
    }

    static void Encode(TextWriter output, ByteLevelBpeTokenizer tokenizer, int count)
    {
        var corpus = new SyntheticCorpus(seed: 42);
        string[] docs = Enumerable.Range(0, count).Select(_ => corpus.Document(2048)).ToArray();
        double megabytes = docs.Sum(d => Encoding.UTF8.GetByteCount(d)) / 1e6;
        long tokens = 0;
        for (int pass = 0; pass < 2; pass++) // let tiered JIT reach its optimised code
        {
            tokens = docs.Sum(d => (long)tokenizer.Encode(d).Length);
            tokenizer.EncodeBatch(docs);
        }
        var (single, singleCpu) = MedianRate(megabytes, () => { foreach (var d in docs) tokenizer.Encode(d); });
        var (parallel, parallelCpu) = MedianRate(megabytes, () => tokenizer.EncodeBatch(docs));
        output.WriteLine(JsonSerializer.Serialize(new
        {
            benchmark = "tokenizer.encode",
            documents = docs.Length,
            megabytes = Math.Round(megabytes, 2),
            tokens,
            single_thread_mb_per_s = Math.Round(single, 1),
            all_cores_mb_per_s = Math.Round(parallel, 1),
            // Per CPU-second of this process: steadier than wall time on a machine shared with other work.
            single_thread_mb_per_cpu_s = Math.Round(singleCpu, 1),
            all_cores_mb_per_cpu_s = Math.Round(parallelCpu, 1),
            cores = Environment.ProcessorCount,
            load_average = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null,
        }));
    }

    /// <summary>Median of three passes: MB per wall-clock second and MB per CPU-second of the process.</summary>
    static (double Wall, double Cpu) MedianRate(double megabytes, Action run)
    {
        var wall = new List<double>();
        var cpu = new List<double>();
        using var process = Process.GetCurrentProcess();
        for (int i = 0; i < 3; i++)
        {
            process.Refresh();
            TimeSpan cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            run();
            wall.Add(megabytes / watch.Elapsed.TotalSeconds);
            process.Refresh();
            cpu.Add(megabytes / (process.TotalProcessorTime - cpuBefore).TotalSeconds);
        }
        return (wall.Order().ElementAt(1), cpu.Order().ElementAt(1));
    }

    static void Train(TextWriter output, int megabytes, int vocabSize)
    {
        string dir = Directory.CreateTempSubdirectory("minimind-tokbench-").FullName;
        try
        {
            string path = Path.Combine(dir, "corpus.jsonl");
            var corpus = new SyntheticCorpus(seed: 7);
            long bytes = 0;
            using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
            {
                while (bytes < megabytes * 1_000_000L)
                {
                    string line = JsonSerializer.Serialize(new { text = corpus.Document(2048) });
                    writer.WriteLine(line);
                    bytes += Encoding.UTF8.GetByteCount(line) + 1;
                }
            }
            var watch = Stopwatch.StartNew();
            var result = new BpeTrainer(new BpeTrainerOptions { VocabSize = vocabSize }).Train([path], Path.Combine(dir, "out"));
            output.WriteLine(JsonSerializer.Serialize(new
            {
                benchmark = "tokenizer.train",
                corpus_megabytes = Math.Round(bytes / 1e6, 1),
                vocab_size = result.VocabSize,
                merges = result.MergeCount,
                unique_words = result.UniqueWords,
                seconds = Math.Round(watch.Elapsed.TotalSeconds, 1),
            }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
