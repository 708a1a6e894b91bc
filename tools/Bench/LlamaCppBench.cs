using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Generation;
using MiniMind.Engine.Interop;
using MiniMind.Engine.Interop.Gguf;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using MiniMind.Studio.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Bench;

/// <summary>
/// <c>bench llamacpp</c>: the studio's batch-1 CPU decoding beside llama.cpp's (LLamaSharp's CPU build, in-process) on the
/// same model: a checkpoint, or a preset with random weights (speed does not depend on what they know), written as GGUF
/// in each weight type asked for. Same prompt, same number of new tokens (no stop token), same threads (<c>--threads</c>,
/// default 1); the engines take turns within each round so load drifts hit them alike; one warm-up round, then an odd
/// number of timed rounds, median with min and max. Also a 512-token prefill each. One JSON line per engine.
/// llama.cpp runs with its own defaults (an fp16 KV cache, its choice of attention kernel): what a llama.cpp, Ollama or
/// LM Studio user gets.
/// </summary>
public static class LlamaCppBench
{
    public static Command Create()
    {
        var checkpoint = new Option<FileInfo?>("--model") { Description = "A studio checkpoint [default: random weights of --preset]" };
        var preset = new Option<string>("--preset") { Description = "Model preset for random weights (small = MiniMind2-Small, 26M)", DefaultValueFactory = _ => "small" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder for the GGUF [default: the checkpoint's, else dataset/minimind_tokenizer]" };
        var quants = new Option<string[]>("--quant") { Description = "llama.cpp weight types: f32 f16 q8_0", DefaultValueFactory = _ => ["f32", "f16", "q8_0"], AllowMultipleArgumentsPerToken = true };
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Prompt length", DefaultValueFactory = _ => 32 };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated", DefaultValueFactory = _ => 200 };
        var prefillTokens = new Option<int>("--prefill-tokens") { Description = "Prompt length of the prefill measurement", DefaultValueFactory = _ => 512 };
        var runs = new Option<int>("--runs") { Description = "Timed rounds, odd (median, min and max reported)", DefaultValueFactory = _ => 5 };
        var command = new Command("llamacpp", "Batch-1 CPU decoding and prefill: the studio beside llama.cpp on the same model, alternating")
            { checkpoint, preset, tokenizer, quants, promptTokens, newTokens, prefillTokens, runs };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var runtime = StudioCli.StartEngine(parse);
            if (runtime.Device.type != DeviceType.CPU) throw new ArgumentException("bench llamacpp compares CPU decoding: run it with --device cpu.");
            int threads = parse.GetValue(StudioCli.Threads) ?? 1;
            set_num_threads(threads); // the studio at the same thread count as llama.cpp
            var path = parse.GetValue(checkpoint)?.FullName;
            manual_seed(0);
            using var model = path is null ? new MiniMindModel(MiniMindConfig.Preset(parse.GetValue(preset)!)) : ModelCheckpoint.Load(path);
            model.eval();
            var tokenizerDir = parse.GetValue(tokenizer) ?? ModelCheckpoint.ReadInfo(path ?? "")?.Tokenizer ?? Path.Combine("dataset", "minimind_tokenizer");
            if (File.Exists(tokenizerDir)) tokenizerDir = Path.GetDirectoryName(Path.GetFullPath(tokenizerDir))!;

            var dir = Directory.CreateTempSubdirectory("minimind-bench-gguf-").FullName;
            try
            {
                var ggufTokenizer = GgufTokenizer.Read(tokenizerDir, model.Config.VocabSize);
                var state = CheckpointExporter.FloatStateDict(model);
                var files = new List<(string Name, string File, long Bytes)>();
                foreach (var quant in parse.GetValue(quants)!)
                {
                    var type = quant switch { "f32" => GgmlType.F32, "f16" => GgmlType.F16, "q8_0" => GgmlType.Q8_0, _ => throw new ArgumentException($"--quant takes f32, f16 or q8_0; got {quant}.") };
                    var file = Path.Combine(dir, $"bench-{quant}.gguf");
                    GgufModelFile.Write(file, model.Config, state, ggufTokenizer, type, "bench");
                    files.Add(($"llama.cpp {quant.ToUpperInvariant()}", file, new FileInfo(file).Length));
                }
                foreach (var t in state.Values) t.Dispose();

                int prompt = parse.GetValue(promptTokens), generate = parse.GetValue(newTokens), prefill = parse.GetValue(prefillTokens);
                var promptIds = Enumerable.Range(0, prompt).Select(i => (i * 17 + 5) % model.Config.VocabSize).ToArray();
                var prefillIds = Enumerable.Range(0, prefill).Select(i => (i * 31 + 7) % model.Config.VocabSize).ToArray();
                var engines = new List<(string Name, long Bytes, Func<(double FirstMs, double DecodeS)> Decode, Func<double> Prefill, IDisposable? Owned)>
                {
                    ("studio fp32", model.parameters().Sum(p => p.NumberOfElements * p.ElementSize), () => StudioDecode(model, promptIds, generate), () => StudioPrefill(model, prefillIds), null),
                };
                foreach (var (name, file, bytes) in files)
                {
                    var llama = LlamaCppModel.Load(file, threads, contextSize: Math.Max(prompt + generate, prefill) + 8, exact: false);
                    engines.Add((name, bytes, () => LlamaDecode(llama, promptIds, generate), () => LlamaPrefill(llama, prefillIds), llama));
                }
                try
                {
                    int rounds = BenchMath.OddRuns(parse.GetValue(runs));
                    var decode = engines.Select(_ => new List<(double FirstMs, double DecodeS)>()).ToArray();
                    var prefillTimes = engines.Select(_ => new List<double>()).ToArray();
                    for (int round = -1; round < rounds; round++) // round -1: the warm-up
                    {
                        for (int e = 0; e < engines.Count; e++)
                        {
                            var d = engines[e].Decode();
                            var p = engines[e].Prefill();
                            if (round < 0) continue;
                            decode[e].Add(d);
                            prefillTimes[e].Add(p);
                        }
                    }
                    for (int e = 0; e < engines.Count; e++)
                    {
                        var rate = BenchMath.Summarise(decode[e].Select(t => t.DecodeS)).Map(s => (generate - 1) / s, decreasing: true);
                        var first = BenchMath.Summarise(decode[e].Select(t => t.FirstMs));
                        var prefillRate = BenchMath.Summarise(prefillTimes[e]).Map(s => prefill / s, decreasing: true);
                        parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
                        {
                            benchmark = "llamacpp",
                            engine = engines[e].Name,
                            model = path ?? $"random {parse.GetValue(preset)}",
                            parameters = model.Config.ParameterCount,
                            weight_bytes = engines[e].Bytes,
                            threads,
                            prompt_tokens = prompt,
                            new_tokens = generate,
                            statistic = BenchMath.Statistic(rounds, "timed rounds after one warm-up, engines alternating"),
                            decode_tokens_per_s = Math.Round(rate.Median, 1),
                            decode_tokens_per_s_min = Math.Round(rate.Min, 1),
                            decode_tokens_per_s_max = Math.Round(rate.Max, 1),
                            time_to_first_token_ms = Math.Round(first.Median, 2),
                            prefill_tokens = prefill,
                            prefill_tokens_per_s = Math.Round(prefillRate.Median, 1),
                            prefill_tokens_per_s_min = Math.Round(prefillRate.Min, 1),
                            prefill_tokens_per_s_max = Math.Round(prefillRate.Max, 1),
                        }));
                    }
                }
                finally
                {
                    foreach (var engine in engines) engine.Owned?.Dispose();
                }
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
            return 0;
        }));
        return command;
    }

    static (double FirstMs, double DecodeS) StudioDecode(MiniMindModel model, int[] prompt, int generate)
    {
        var clock = Stopwatch.StartNew();
        double first = 0;
        int count = 0;
        foreach (var _ in TokenGenerator.Stream(model, new GenerationRequest { Prompts = [[.. prompt.Select(i => (long)i)]], MaxNewTokens = generate, IgnoreEos = true }))
            if (count++ == 0) first = clock.Elapsed.TotalSeconds;
        return (first * 1000, clock.Elapsed.TotalSeconds - first);
    }

    static double StudioPrefill(MiniMindModel model, int[] ids)
    {
        using var noGrad = no_grad();
        using var input = tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);
        var clock = Stopwatch.StartNew();
        using var logits = model.Forward(input, lastOnly: true).Logits;
        _ = logits.argmax(-1).item<long>(); // the result read back, as a caller would
        return clock.Elapsed.TotalSeconds;
    }

    static (double FirstMs, double DecodeS) LlamaDecode(LlamaCppModel llama, int[] prompt, int generate)
    {
        var clock = Stopwatch.StartNew();
        double first = 0;
        int count = 0;
        llama.Greedy(prompt, generate, onToken: _ =>
        {
            if (count++ == 0) first = clock.Elapsed.TotalSeconds;
        });
        return (first * 1000, clock.Elapsed.TotalSeconds - first);
    }

    static double LlamaPrefill(LlamaCppModel llama, int[] ids)
    {
        var clock = Stopwatch.StartNew();
        _ = LlamaCppModel.ArgMax(llama.NextLogits(ids));
        return clock.Elapsed.TotalSeconds;
    }
}
