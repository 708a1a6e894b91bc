using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Tokenization;
using MiniMind.Engine.Training;
using MiniMind.Engine.Training.Objectives;
using MiniMind.Studio.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Bench;

/// <summary>
/// <c>bench train</c>: training throughput of one stage's step on synthetic batches: tokens/s, useful (non-pad)
/// tokens/s, ms/step, peak memory. It also times the same libtorch work without the loop (forward, loss,
/// backward, fused clip and AdamW step on pre-built tensors) and reports the loop's overhead over it, and the
/// bare step once more with TorchSharp's own per-parameter AdamW and clip_grad_norm_ (what the fused optimizer saves).
/// </summary>
public static class TrainBench
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "Model preset", DefaultValueFactory = _ => "tiny" };
        var batch = new Option<int>("--batch") { Description = "Rows per step", DefaultValueFactory = _ => 16 };
        var seq = new Option<int>("--seq") { Description = "Tokens per row", DefaultValueFactory = _ => 128 };
        var vocab = new Option<int?>("--vocab") { Description = "Vocabulary size [default: the preset's]" };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after 3 warm-up steps)", DefaultValueFactory = _ => 20 };
        var precision = new Option<string>("--precision") { Description = "fp32, bf16 (fp32 weights cast in each projection) or bf16-pure (bf16 working copies, fp32 masters)", DefaultValueFactory = _ => "fp32" };
        var padShare = new Option<double>("--pad-share") { Description = "Share of each row that is padding (masked), to see useful tokens/s", DefaultValueFactory = _ => 0.0 };
        var data = new Option<string?>("--data") { Description = "Pretraining jsonl/parquet to take the batches from (real lengths) instead of synthetic rows; --seq is then max_seq_len" };
        var tokenizer = new Option<string>("--tokenizer") { Description = "Tokenizer for --data", DefaultValueFactory = _ => "dataset/minimind_tokenizer" };
        var packed = new Option<bool>("--packed") { Description = "With --data: pack documents into full rows instead of padding each" };
        var loopOnly = new Option<bool>("--loop-only") { Description = "Time only the loop (one model in memory, so an outside memory probe sees what training needs)" };
        var syncEvery = new Option<int?>("--sync-every") { Description = "Steps between the loop's host reads of the loss [default: 1 on CPU, 10 on CUDA]" };
        var head = new Option<string>("--head") { Description = "chunked (the output head and cross-entropy fused, a chunk of tokens at a time) or full (the whole logits tensor, as unfused)", DefaultValueFactory = _ => "chunked" };
        var command = new Command("train", "Training step throughput and the loop's overhead over the libtorch work") { preset, batch, seq, vocab, steps, precision, padShare, data, tokenizer, packed, loopOnly, syncEvery, head };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var runtime = StudioCli.StartEngine(parse);
            var device = runtime.Device;
            var threads = CpuThreads.Apply(CpuWork.Training, device); // as a training run would choose (or --threads)
            var config = MiniMindConfig.Preset(parse.GetValue(preset)!);
            if (parse.GetValue(vocab) is int v) config = config with { VocabSize = v };
            config = config with { MaxSeqLen = Math.Max(config.MaxSeqLen, parse.GetValue(seq)) };
            int rows = parse.GetValue(batch), length = parse.GetValue(seq), timed = parse.GetValue(steps);
            var dataPath = parse.GetValue(data) is { } d ? StudioCli.ResolvePath(d) : null;
            var batches = dataPath is null
                ? Synthetic(rows, length, config.VocabSize, parse.GetValue(padShare), count: 4)
                : FromFile(dataPath, StudioCli.ResolvePath(parse.GetValue(tokenizer)!), length, rows, parse.GetValue(packed), config.VocabSize, count: 8);
            // the share of positions that are targets; and what it would be were every row padded to the full length (as the original pads)
            double usefulShare = batches.Sum(b => b.UsefulTokens) / (double)batches.Sum(b => (long)b.Rows * b.Length);
            int fullRow = dataPath is null ? length : length - 1; // a pretraining row of max_seq_len tokens gives max_seq_len - 1 targets
            double usefulShareFullRows = batches.Sum(b => b.UsefulTokens) / (double)batches.Sum(b => (long)b.Rows * fullRow);
            var computeType = parse.GetValue(precision) switch
            {
                "fp32" => (ScalarType?)null,
                "bf16" or "bf16-pure" => ScalarType.BFloat16,
                var other => throw new ArgumentException($"--precision must be fp32, bf16 or bf16-pure; got {other}."),
            };
            var working = parse.GetValue(precision) == "bf16-pure" ? ScalarType.BFloat16 : (ScalarType?)null;
            var chunkedHead = parse.GetValue(head) switch
            {
                "chunked" => true,
                "full" => false,
                var other => throw new ArgumentException($"--head must be chunked or full; got {other}."),
            };
            CrossEntropyObjective NewObjective() => new("pretrain") { ChunkedHead = chunkedHead };

            // The loop (Trainer) and the same libtorch work in a bare loop, in alternating rounds so that a change in
            // machine load hits both alike; each round's first step (optimizer state, caches) is left out.
            MiniMindModel NewModel()
            {
                manual_seed(0);
                var m = new MiniMindModel(config);
                m.to(device);
                m.ComputeType = computeType;
                return m;
            }
            long startRss = Environment.WorkingSet;
            using var model = NewModel();
            long modelRss = Environment.WorkingSet;
            MiniMindModel? bare = null, unfused = null;
            var outDir = Directory.CreateTempSubdirectory("minimind-bench-").FullName;
            var stepTimes = new List<double>();
            var bareTimes = new List<double>();
            var unfusedTimes = new List<double>();
            const int rounds = 4;
            int perRound = Math.Max(2, timed / rounds);
            try
            {
                long peakRss = 0, afterRoundRss = 0;
                for (int round = 0; round < rounds; round++)
                {
                    using var objective = NewObjective();
                    var options = new TrainingOptions
                    {
                        MaxSteps = perRound + 1, Epochs = int.MaxValue, BatchSize = rows, AccumulationSteps = 1, SaveEvery = long.MaxValue, OutDir = outDir,
                        SyncEvery = parse.GetValue(syncEvery),
                    };
                    var setup = new TrainerSetup
                    {
                        Options = options, Model = model, Trainable = model.UniqueParameters(), Objective = objective,
                        Data = new Cycle(batches), Device = device, Run = RunDirectory.Create(outDir, TrainingStage.Pretrain),
                        OutputPath = Path.Combine(outDir, "bench.safetensors"), SaveOutput = (_, _) => { }, WorkingWeights = working,
                    };
                    double previousElapsed = 0;
                    Trainer.Run(setup, m =>
                    {
                        if (m.Step > 1) stepTimes.Add(m.ElapsedSeconds - previousElapsed);
                        previousElapsed = m.ElapsedSeconds;
                    });
                    if (round == 0)
                    {
                        // the process's peak so far is one training run's (the loop, a fresh model and optimizer), and
                        // the models the bare loops time are not made yet
                        peakRss = PeakRss();
                        afterRoundRss = Environment.WorkingSet;
                    }
                    if (parse.GetValue(loopOnly)) continue;
                    bare ??= NewModel();
                    unfused ??= NewModel();
                    using (var o = NewObjective()) bareTimes.AddRange(BareSteps(bare, o, batches, device, perRound, fused: true, working));
                    // TorchSharp's AdamW keeps no master copies: beside bf16-pure it runs the bf16 (cast) path
                    using (var o = NewObjective()) unfusedTimes.AddRange(BareSteps(unfused, o, batches, device, perRound, fused: false, null));
                }
                var steps = BenchMath.Summarise(stepTimes).Map(s => s * 1000);
                double loopMs = steps.Median;
                // per step on average: the batches cycle, so every timed step trains one of them
                double tokensPerStep = batches.Average(b => (double)b.Rows * b.Length), usefulPerStep = batches.Average(b => (double)b.UsefulTokens);
                double? bareMs = bareTimes.Count > 0 ? BenchMath.Median(bareTimes) * 1000 : null, unfusedMs = unfusedTimes.Count > 0 ? BenchMath.Median(unfusedTimes) * 1000 : null;
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
                {
                    benchmark = "train",
                    stage = "pretrain",
                    preset = parse.GetValue(preset),
                    parameters = config.ParameterCount,
                    vocab = config.VocabSize,
                    batch = rows,
                    seq = length,
                    precision = parse.GetValue(precision),
                    head = parse.GetValue(head),
                    device = device.ToString(),
                    threads = threads.Threads,
                    thread_choice = threads.Reason,
                    data = dataPath is null ? null : Path.GetFileName(dataPath),
                    packed = dataPath is null ? (bool?)null : parse.GetValue(packed),
                    mean_row_length = Math.Round(batches.Average(b => b.Length), 1),
                    useful_share = Math.Round(usefulShare, 4),
                    useful_share_if_padded_to_seq = Math.Round(usefulShareFullRows, 4),
                    statistic = BenchMath.Statistic(steps.Count, "timed steps (the first of each of 4 rounds left out)"),
                    ms_per_step = Math.Round(loopMs, 2),
                    ms_per_step_min = Math.Round(steps.Min, 2),
                    ms_per_step_max = Math.Round(steps.Max, 2),
                    // from ms_per_step: tokens of a step (batch x length, padding included) over its median time
                    tokens_per_s = Math.Round(tokensPerStep / (loopMs / 1000)),
                    useful_tokens_per_s = Math.Round(usefulPerStep / (loopMs / 1000)),
                    bare_ms_per_step = bareMs is { } b ? Math.Round(b, 2) : (double?)null,
                    loop_overhead_percent = bareMs is { } b2 ? Math.Round((loopMs - b2) / b2 * 100, 2) : (double?)null,
                    bare_torchsharp_adamw_ms_per_step = unfusedMs is { } u ? Math.Round(u, 2) : (double?)null,
                    // memory: the process's peak resident set over the first round (one run of the loop, as `train` makes
                    // it), read from the kernel's high-water mark (VmHWM), so the peak inside a step (the end of the
                    // forward pass) counts, not a sample between steps; and what was resident before and after
                    malloc_mmap_threshold = MallocTuning.Applied is int threshold ? $"{threshold} (set by the engine)" : Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is { Length: > 0 } env ? $"{env} (MALLOC_MMAP_THRESHOLD_)" : "the C library's default",
                    memory_statistic = "peak resident set (VmHWM) of the process over the first round: one Trainer run with a fresh optimizer",
                    peak_rss_mib = Math.Round(peakRss / 1048576.0),
                    rss_before_model_mib = Math.Round(startRss / 1048576.0),
                    rss_with_model_mib = Math.Round(modelRss / 1048576.0),
                    rss_after_run_mib = Math.Round(afterRoundRss / 1048576.0),
                }));
            }
            finally
            {
                bare?.Dispose();
                unfused?.Dispose();
                Directory.Delete(outDir, true);
            }
            return 0;
        }));
        return command;
    }

    /// <summary>The process's peak resident set so far (VmHWM on Linux).</summary>
    static long PeakRss()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>
    /// Forward, masked loss, backward, clip, AdamW step on tensors built once: the floor the loop is measured against
    /// (first step not timed). <paramref name="fused"/>: the loop's flat-buffer optimizer; else TorchSharp's AdamW.
    /// </summary>
    static List<double> BareSteps(MiniMindModel model, IObjective objective, IReadOnlyList<TokenBatch> batches, Device device, int timed, bool fused, ScalarType? working)
    {
        var tensors = batches.Select(b => (
            tensor(b.Inputs, [b.Rows, b.Length], ScalarType.Int64, device).DetachFromDisposeScope(),
            tensor(b.Targets, [b.Rows, b.Length], ScalarType.Int64, device).DetachFromDisposeScope(),
            tensor(b.LossMask, [b.Rows, b.Length], ScalarType.Float32, device).DetachFromDisposeScope())).ToList();
        var parameters = model.UniqueParameters();
        using var flat = fused ? new FlatParameters(parameters, working) : null;
        if (flat?.WorkingViews is { } views) model.UseWorkingWeights(parameters, views);
        using var fusedAdamW = fused ? new FusedAdamW(flat!) : null;
        using var optimizer = fused ? null : optim.AdamW(parameters, 5e-4);
        model.train();
        var times = new List<double>();
        for (int i = 0; i < timed + 1; i++)
        {
            var watch = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                var (x, y, mask) = tensors[i % tensors.Count];
                var loss = objective.Compute(model, new BatchTensors(x, y, mask)).Loss;
                loss.backward();
                objective.AfterBackward();
                if (fused)
                {
                    fusedAdamW!.Step(5e-4, 1.0, loss);
                    flat!.ZeroGrad();
                }
                else
                {
                    nn.utils.clip_grad_norm_(parameters, 1.0);
                    optimizer!.step();
                    optimizer.zero_grad();
                }
                loss.item<float>(); // the loop reads the loss once per step too (on the CPU)
            }
            if (i >= 1) times.Add(watch.Elapsed.TotalSeconds);
        }
        if (flat?.WorkingViews is not null) model.UseWorkingWeights(parameters, null);
        return times;
    }

    /// <summary>The first <paramref name="count"/> batches the training loader gives for a pretraining file (padded rows trimmed to the batch's longest, or packed).</summary>
    static List<TokenBatch> FromFile(string path, string tokenizerPath, int maxSeqLen, int rows, bool packed, int vocab, int count)
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(tokenizerPath);
        if (tokenizer.VocabSize > vocab)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabSize} tokens; the model's vocabulary is {vocab} (use --vocab).");
        using var loader = DataLoader.Open(path, DatasetKind.Pretrain, tokenizer, maxSeqLen, rows, seed: 1, packed);
        return loader.Batches().Take(count).Select(b => b.Batch).ToList();
    }

    static List<TokenBatch> Synthetic(int rows, int length, int vocab, double padShare, int count)
    {
        var random = new Random(1);
        int real = Math.Max(1, (int)Math.Round(length * (1 - padShare)));
        return Enumerable.Range(0, count).Select(_ => new TokenBatch(
            Enumerable.Range(0, rows * length).Select(_ => (long)random.Next(vocab)).ToArray(),
            Enumerable.Range(0, rows * length).Select(_ => (long)random.Next(vocab)).ToArray(),
            Enumerable.Range(0, rows * length).Select(i => i % length < real ? 1f : 0f).ToArray(), rows, length)).ToList();
    }


    sealed class Cycle(IReadOnlyList<TokenBatch> batches) : ITrainingData
    {
        public long BatchesPerEpoch => batches.Count;

        public IEnumerable<(TokenBatch Batch, LoaderCursor Next)> Batches(CancellationToken cancellationToken = default)
        {
            for (long i = 0; !cancellationToken.IsCancellationRequested; i++)
                yield return (batches[(int)(i % batches.Count)], new LoaderCursor((int)(i / batches.Count), i % batches.Count + 1, 0));
        }
    }
}
