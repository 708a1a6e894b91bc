using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MiniMind.Engine.Generation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using MiniMind.Studio.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Bench;

/// <summary>
/// <c>bench generate</c>: KV-cache decoding speed of a preset with random weights (speed does not depend
/// on what the weights know): time to first token (the prefill plus one sample) and decode tokens/s at
/// each batch size, eos ignored so every run generates the same number of tokens. Median of the timed
/// runs after one warm-up run. One JSON line per batch size.
/// <c>--dim</c> (and <c>--vocab</c>) shrink the preset while keeping its layers and heads: at dim 64 the
/// arithmetic is negligible and a step's time is the host's per-op cost (P/Invoke, dispatch, tensor objects),
/// which is what bounds batch-1 decoding of a small model on a GPU; <c>decode_us_per_step</c> reports it.
/// </summary>
public static class GenerateBench
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Model preset (small = MiniMind2-Small, 26M)", DefaultValueFactory = _ => "small" };
        var batches = new Option<int[]>("--batch") { Description = "Batch sizes to measure", DefaultValueFactory = _ => [1, 8], AllowMultipleArgumentsPerToken = true };
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Prompt length per row", DefaultValueFactory = _ => 32 };
        var newTokens = new Option<int>("--new-tokens") { Description = "Tokens generated per row", DefaultValueFactory = _ => 128 };
        var runs = new Option<int>("--runs") { Description = "Timed runs per batch size, odd (the median is reported, min and max beside)", DefaultValueFactory = _ => 3 };
        var dtype = new Option<string?>("--dtype") { Description = "Dtype the model is served in: bf16 or fp32 [default: bf16 on CUDA, fp32 on CPU]" };
        var computeOnly = new Option<bool>("--compute-only") { Description = "bf16 by casting fp32 weights in every projection (the training path) instead of converting the weights once (the studio's serving path)" };
        var dim = new Option<int?>("--dim") { Description = "Override the preset's dim, keeping its layers and heads (e.g. 64: compute negligible, the host's per-op cost remains)" };
        var vocab = new Option<int?>("--vocab") { Description = "Override the preset's vocabulary size" };
        var command = new Command("generate", "Decoding speed: time to first token and tokens/s at batch 1 and 8") { preset, batches, promptTokens, newTokens, runs, dtype, computeOnly, dim, vocab };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var runtime = StudioCli.StartEngine(parse);
            var device = runtime.Device;
            var compute = parse.GetValue(dtype) switch
            {
                null => device.type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32,
                "bf16" => ScalarType.BFloat16,
                "fp32" => ScalarType.Float32,
                var other => throw new ArgumentException($"--dtype must be bf16 or fp32; got {other}."),
            };
            manual_seed(0);
            var config = MiniMindConfig.Preset(parse.GetValue(preset)!);
            if (parse.GetValue(dim) is int d) config = config with { Dim = d, HiddenDim = null };
            if (parse.GetValue(vocab) is int v) config = config with { VocabSize = v };
            using var model = new MiniMindModel(config.Validate());
            model.to(device);
            // bf16 as the studio's chat serves it (weights converted once), or with --compute-only as training
            // computes (fp32 weights cast in every projection call)
            if (compute != ScalarType.Float32)
            {
                if (parse.GetValue(computeOnly)) model.ComputeType = compute;
                else model.ConvertWeightsForInference(compute);
            }
            int prompt = parse.GetValue(promptTokens), generate = parse.GetValue(newTokens);
            foreach (var batch in parse.GetValue(batches)!)
            {
                var rows = Enumerable.Range(0, batch)
                    .Select(r => (IReadOnlyList<long>)Enumerable.Range(0, prompt).Select(i => (long)((r * 131 + i * 17) % model.Config.VocabSize)).ToArray())
                    .ToArray();
                var threads = CpuThreads.Apply(CpuWork.Decoding, device, batch); // as the chat would choose (or --threads)
                Run(model, rows, generate); // warm-up: allocator, kernels, JIT
                var timings = Enumerable.Range(0, BenchMath.OddRuns(parse.GetValue(runs))).Select(_ => Run(model, rows, generate)).ToList();
                var first = BenchMath.Summarise(timings.Select(t => t.FirstMs));
                var decode = BenchMath.Summarise(timings.Select(t => t.DecodeS));
                var total = BenchMath.Summarise(timings.Select(t => t.TotalS));
                // each rate from its own definition, per run: the fastest run gives the max
                var decodeRate = decode.Map(s => batch * (generate - 1) / s, decreasing: true);
                var endToEnd = total.Map(s => batch * generate / s, decreasing: true);
                double firstMs = first.Median, decodeS = decode.Median, totalS = total.Median;
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
                {
                    benchmark = "generate",
                    preset = parse.GetValue(preset),
                    parameters = model.ParameterCount,
                    dim = config.Dim,
                    layers = config.NLayers,
                    heads = config.NHeads,
                    kv_heads = config.KvHeads,
                    vocab = config.VocabSize,
                    device = device.ToString(),
                    weights = model.parameters().First().dtype.ToString(),
                    dtype = compute.ToString(),
                    threads = threads.Threads,
                    thread_choice = threads.Reason,
                    batch,
                    prompt_tokens = prompt,
                    new_tokens = generate,
                    statistic = BenchMath.Statistic(timings.Count, "timed runs after one warm-up"),
                    time_to_first_token_ms = Math.Round(firstMs, 2),
                    time_to_first_token_ms_min = Math.Round(first.Min, 2),
                    time_to_first_token_ms_max = Math.Round(first.Max, 2),
                    // tokens after the first, over the time after the first: the steady decode rate
                    decode_tokens_per_s = Math.Round(decodeRate.Median, 1),
                    decode_tokens_per_s_min = Math.Round(decodeRate.Min, 1),
                    decode_tokens_per_s_max = Math.Round(decodeRate.Max, 1),
                    decode_tokens_per_s_per_row = Math.Round((generate - 1) / decodeS, 1),
                    // wall time of one decode step (every row's token): at a negligible dim, the host's cost per step
                    decode_us_per_step = Math.Round(decodeS / (generate - 1) * 1e6, 1),
                    // everything a caller waits for, prefill included
                    end_to_end_tokens_per_s = Math.Round(endToEnd.Median, 1),
                    end_to_end_tokens_per_s_min = Math.Round(endToEnd.Min, 1),
                    end_to_end_tokens_per_s_max = Math.Round(endToEnd.Max, 1),
                    host_bytes_per_step_first_quarter = timings[^1].EarlyBytesPerStep,
                    host_bytes_per_step_last_quarter = timings[^1].LateBytesPerStep,
                }));
            }
            return 0;
        }));
        return command;
    }

    static Timing Run(MiniMindModel model, IReadOnlyList<IReadOnlyList<long>> rows, int newTokens)
    {
        var clock = Stopwatch.StartNew();
        using var session = new DecodingSession(model, rows, newTokens, SamplingOptions.Greedy);
        session.TryStep(default, out _);
        double first = clock.Elapsed.TotalMilliseconds;
        // managed bytes the host allocates per step, early and late in the sequence: flat means nothing grows with length
        int quarter = Math.Max(1, (newTokens - 1) / 4);
        long early = 0, late = 0;
        for (int step = 1; ; step++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            if (!session.TryStep(default, out _)) break;
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (step <= quarter) early += bytes;
            else if (step > newTokens - 1 - quarter) late += bytes;
        }
        double total = clock.Elapsed.TotalSeconds;
        return new Timing(first, total - first / 1000, total, early / quarter, late / quarter);
    }

    record Timing(double FirstMs, double DecodeS, double TotalS, long EarlyBytesPerStep, long LateBytesPerStep);
}
