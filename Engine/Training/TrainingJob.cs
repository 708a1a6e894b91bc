using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Tokenization;
using MiniMind.Engine.Training.Objectives;
using MiniMind.Engine.Training.Rewards;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training;

/// <summary>
/// Turns <see cref="TrainingOptions"/> into a ready <see cref="TrainerSetup"/>: tokenizer, starting model
/// (from scratch, the stage's default predecessor, or init_from), precision, objective, trainable
/// parameters (adapters only for LoRA), data loader (continuing from the resume cursor), output naming.
/// </summary>
public static class TrainingJob
{
    /// <summary>The checkpoint a stage writes, by the seed's naming: pretrain_512, full_sft_512_moe, lora_identity_512, ...</summary>
    public static string OutputName(TrainingOptions o, MiniMindConfig config)
    {
        if (!string.IsNullOrWhiteSpace(o.OutputName)) return o.OutputName;
        var suffix = $"{config.Dim}{(config.UseMoe ? "_moe" : "")}";
        return o.Stage switch
        {
            TrainingStage.Pretrain => $"pretrain_{suffix}",
            TrainingStage.Sft => $"full_sft_{suffix}",
            TrainingStage.Lora => $"lora_{o.LoraName}_{suffix}",
            TrainingStage.Dpo => $"rlhf_{suffix}",
            TrainingStage.Distill => $"full_dist_{suffix}",
            TrainingStage.Reason => $"reason_{suffix}",
            TrainingStage.Grpo => $"grpo_{suffix}",
            TrainingStage.Tools => $"tools_{suffix}",
            _ => throw new ArgumentOutOfRangeException(nameof(o)),
        };
    }

    /// <summary>Where the run's checkpoint is written: <see cref="OutputName"/> under out_dir.</summary>
    public static string OutputPath(TrainingOptions o, MiniMindConfig config) => Path.Combine(o.OutDir, OutputName(o, config) + ".safetensors");

    /// <summary>The checkpoint a stage starts from when init_from is not given (null: from scratch).</summary>
    public static string? DefaultInit(TrainingOptions o, MiniMindConfig config)
    {
        var suffix = $"{config.Dim}{(config.UseMoe ? "_moe" : "")}";
        string? name = o.Stage switch
        {
            TrainingStage.Pretrain => null,
            TrainingStage.Sft => $"pretrain_{suffix}",
            TrainingStage.Dpo or TrainingStage.Distill or TrainingStage.Grpo => $"full_sft_{suffix}",
            TrainingStage.Lora or TrainingStage.Reason or TrainingStage.Tools => $"rlhf_{suffix}",
            _ => throw new ArgumentOutOfRangeException(nameof(o)),
        };
        return name is null ? null : Path.Combine(o.OutDir, name + ".safetensors");
    }

    /// <summary>
    /// The one way a training job runs, for the studio's run manager and the <c>train</c> verb alike: a resume without a saved
    /// state is refused (it would start at step 0 and write over the run's history), a new run's options are recorded in
    /// its config.json, then <see cref="Prepare"/> builds the job and <see cref="Trainer.Run"/> trains it.
    /// <paramref name="prepared"/> is called between the two.
    /// </summary>
    public static TrainingResult Execute(TrainingOptions options, Device device, RuntimeInfo runtime, RunDirectory run, bool resume,
        IProgress<string>? progress, Action<StepMetrics>? onStep, CancellationToken cancel, PauseGate? pause = null, Action? prepared = null,
        Action<string>? checkpointSaved = null)
    {
        if (resume && ResumeState.Read(run.ResumePath) is null)
            throw new FileNotFoundException($"{Path.Combine(run.ResumePath, "state.json")} is missing: run {run.Id} has no saved state to continue from "
                + $"(it stopped before its first save, or the file was removed). Its history is left as it is; start a new run instead (train {options.Stage.Name()} --config {run.ConfigPath}).",
                Path.Combine(run.ResumePath, "state.json"));
        if (!resume) run.WriteConfig(options, Environment(runtime));
        // on this thread, which runs the whole job: the free cores now (or the fixed count)
        progress?.Report($"training with {CpuThreads.Apply(CpuWork.Training, device)}");
        using var setup = Prepare(options, device, run, resume, progress, cancel, checkpointSaved);
        prepared?.Invoke();
        return Trainer.Run(setup, onStep, cancel, pause);
    }

    /// <param name="checkpointSaved">Told each checkpoint path the run writes, once written (the log also says so).</param>
    public static TrainerSetup Prepare(TrainingOptions options, Device device, RunDirectory run, bool resume = false,
        IProgress<string>? progress = null, CancellationToken cancel = default, Action<string>? checkpointSaved = null)
    {
        var o = options.Validate();
        var devices = ParallelDevices(o.Devices);
        if (devices.Count > 0) device = devices[0]; // the master runs on the first listed device
        progress?.Report($"loading tokenizer {o.TokenizerPath}");
        var tokenizer = ByteLevelBpeTokenizer.Load(o.TokenizerPath);
        var (model, init) = StartingModel(o, tokenizer);
        // what this method builds, released if a later step fails (a reference model or a replica holds GPU memory,
        // the loader open files), so a bad data file leaves nothing behind in a long-lived studio
        IObjective? objective = null;
        DataParallel? parallel = null;
        ITrainingData? data = null;
        try
        {
            model.to(device);
            model.ComputeType = ComputeType(o.Precision, device);
            (objective, var trainable) = StageParts(o, model, tokenizer, device, progress);
            parallel = devices.Count > 1
                ? new DataParallel(devices.Skip(1).Select(d => Replicate(o, model, tokenizer, d)).ToList())
                : null;
            var outputPath = OutputPath(o, model.Config);
            var cursor = resume ? ResumeState.Read(run.ResumePath)?.Cursor : null;
            progress?.Report($"opening {o.DataPath}");
            data = o.Stage == TrainingStage.Grpo ? OpenPrompts(o, tokenizer, cursor, progress) : new LoaderData(DataLoader.Open(o.DataPath, tokenizer, new DataLoaderOptions
            {
                Kind = Kind(o.Stage), MaxSeqLen = o.MaxSeqLen, BatchSize = o.BatchSize, Seed = o.Seed, Packed = o.Packed, ResumeFrom = cursor,
                MaxBadRecords = o.FailOnBadRecords ? 0 : long.MaxValue, // the loader refuses the file itself, naming the first bad record
                Processing = o.Processing,
            }, progress, cancel));
            var info = new CheckpointInfo
            {
                Config = model.Config, Stage = o.Stage.Name(), Tokenizer = Path.GetFullPath(o.TokenizerPath), RunId = run.Id,
                BaseCheckpoint = init is null ? null : Path.GetFullPath(init),
                Lora = o.Stage == TrainingStage.Lora ? LoraSettings(o) : null,
            };
            foreach (var orphan in AtomicFile.RemoveOrphans(o.OutDir).Concat(AtomicFile.RemoveOrphans(run.Path)))
                progress?.Report($"removed {orphan}: the unfinished temporary file of a write that a kill interrupted");
            if (!resume && KeepReplaced(outputPath, run.Id, Path.Combine(o.OutDir, ReplacedFolder)) is { } kept)
                progress?.Report($"{Path.GetFileName(outputPath)} exists and was written by another run: kept as {kept} (delete it when it is no longer wanted)");
            return new TrainerSetup
            {
                Options = o, Model = model, Trainable = trainable, Objective = objective, Data = data,
                Device = device, Run = run, OutputPath = outputPath, Resume = resume, Parallel = parallel,
                WorkingWeights = o.Precision == "bf16-pure" ? ScalarType.BFloat16 : null,
                SaveOutput = (path, step) =>
                {
                    if (o.Stage == TrainingStage.Lora) AdapterCheckpoint.Save(model, path, info with { Step = step, CreatedUtc = DateTimeOffset.UtcNow });
                    else ModelCheckpoint.Save(model, path, info with { Step = step, CreatedUtc = DateTimeOffset.UtcNow });
                    progress?.Report($"checkpoint saved: {path} (step {step})");
                    checkpointSaved?.Invoke(path);
                },
            };
        }
        catch
        {
            (data as IDisposable)?.Dispose();
            parallel?.Dispose();
            objective?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <summary>A GRPO run's prompts (max_seq_len bounds a prompt), each batch delivered once per grpo_epochs pass.</summary>
    static PromptData OpenPrompts(TrainingOptions o, ByteLevelBpeTokenizer tokenizer, LoaderCursor? cursor, IProgress<string>? progress)
    {
        var prompts = PromptData.Open(o.DataPath, tokenizer, o.MaxSeqLen, o.BatchSize, o.Seed, o.GrpoEpochs, o.AccumulationSteps, cursor, o.FailOnBadRecords, o.Processing);
        if (prompts.Unreferenced > 0)
        {
            // the current original scores RLAIF prompts with a reward model; the studio's rewards are rules, and only the
            // format and length rules need no reference: without them such prompts would train on rewards that are all 0
            if (prompts.Unreferenced == prompts.Count && o.RewardFormat == 0 && o.RewardLength == 0)
                throw new InvalidDataException(
                    $"{o.DataPath}: no prompt carries a reference answer (\"answer\") or facts (\"gt\"): the current original scores such RLAIF prompts with a reward model, " +
                    "which the studio does not run. Give reward_format or reward_length a weight, or train on prompts with answers.");
            progress?.Report($"{prompts.Unreferenced} of {prompts.Count} prompts carry no reference answer: the answer and numeric rewards score them 0");
        }
        progress?.Report($"{prompts.Count} prompts, {o.GrpoGroupSize} completions each per step");
        if (prompts.SkippedLines.Count > 0)
            progress?.Report($"skipped {prompts.SkippedLines.Count} prompts longer than max_seq_len ({o.MaxSeqLen} tokens): lines {string.Join(", ", prompts.SkippedLines.Take(10))}{(prompts.SkippedLines.Count > 10 ? ", ..." : "")}");
        return prompts;
    }

    /// <summary>The context a run's model needs: max_seq_len, and for GRPO the longest prompt plus its new tokens.</summary>
    public static int ContextLength(TrainingOptions o) => o.Stage == TrainingStage.Grpo ? o.MaxSeqLen + o.GrpoMaxNewTokens : o.MaxSeqLen;

    /// <summary>Where a run moves the checkpoint its output would replace (under out_dir).</summary>
    public const string ReplacedFolder = "replaced";

    /// <summary>
    /// A new run never silently replaces a checkpoint it did not write (stopping it early would leave its first steps
    /// in place of a trained model): the existing weights and sidecar move to <paramref name="folder"/> under a
    /// timestamped name, and the new path is returned; null when there is nothing to keep (no file, or this run's own).
    /// </summary>
    public static string? KeepReplaced(string outputPath, string runId, string folder)
    {
        if (!File.Exists(outputPath)) return null;
        CheckpointInfo? info = null;
        try { info = ModelCheckpoint.ReadInfo(outputPath); }
        catch (InvalidDataException) { /* an unreadable sidecar: still someone's file, kept */ }
        if (info?.RunId == runId) return null;
        Directory.CreateDirectory(folder);
        var stamp = File.GetLastWriteTimeUtc(outputPath).ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var name = Path.GetFileNameWithoutExtension(outputPath);
        var target = Path.Combine(folder, $"{name}-{stamp}.safetensors");
        for (var n = 2; File.Exists(target); n++) target = Path.Combine(folder, $"{name}-{stamp}-{n}.safetensors");
        var sidecar = ModelCheckpoint.SidecarPath(outputPath);
        if (File.Exists(sidecar)) File.Move(sidecar, ModelCheckpoint.SidecarPath(target));
        File.Move(outputPath, target);
        return target;
    }

    static (MiniMindModel Model, string? Init) StartingModel(TrainingOptions o, ByteLevelBpeTokenizer tokenizer)
    {
        var preset = o.Model ?? MiniMindConfig.Preset(o.Preset);
        var init = o.FromScratch ? null : o.InitFrom ?? DefaultInit(o, preset);
        MiniMindModel model;
        if (init is null)
        {
            manual_seed(o.Seed); // reproducible initialisation
            model = new MiniMindModel(preset with { VocabSize = tokenizer.VocabSize, MaxSeqLen = Math.Max(preset.MaxSeqLen, ContextLength(o)) });
        }
        else
        {
            if (!File.Exists(init))
                throw new FileNotFoundException(o.InitFrom is null
                    ? $"The {o.Stage.Name()} stage starts from {init}, which does not exist: train the previous stage first, or choose a starting checkpoint (init_from)."
                    : $"init_from: checkpoint not found: {init}", init);
            var config = ModelCheckpoint.ReadInfo(init)?.Config ?? o.Model
                ?? throw new ArgumentException($"{init} has no sidecar with its config; give the model config in the training options (model).");
            model = ModelCheckpoint.Load(init, config with { MaxSeqLen = Math.Max(config.MaxSeqLen, ContextLength(o)) });
        }
        if (model.Config.VocabSize < tokenizer.VocabSize)
        {
            model.Dispose();
            throw new ArgumentException($"The model's vocabulary ({model.Config.VocabSize}) is smaller than the tokenizer's ({tokenizer.VocabSize}, {o.TokenizerPath}).");
        }
        return (model, init);
    }

    static (IObjective Objective, IReadOnlyList<TorchSharp.Modules.Parameter> Trainable) StageParts(
        TrainingOptions o, MiniMindModel model, ByteLevelBpeTokenizer tokenizer, Device device, IProgress<string>? progress)
    {
        switch (o.Stage)
        {
            case TrainingStage.Lora:
                manual_seed(o.Seed); // the adapters' random A matrices: the same in every run with this seed
                return (new CrossEntropyObjective("lora") { ChunkedHead = o.ChunkedHead }, LoRAAdapters.Attach(model, LoraSettings(o), o.LoraDropout));
            case TrainingStage.Dpo:
                var reference = ModelCheckpoint.Load(o.InitFrom ?? DefaultInit(o, model.Config)!, model.Config, device);
                reference.ComputeType = model.ComputeType;
                return (new DpoObjective(reference, o.DpoBeta, o.DpoSftWeight), model.UniqueParameters());
            case TrainingStage.Grpo:
                var start = ModelCheckpoint.Load(o.InitFrom ?? DefaultInit(o, model.Config)!, model.Config, device);
                start.ComputeType = model.ComputeType;
                return (new GrpoObjective(start, tokenizer, RewardSet.FromOptions(o), GrpoSettings.FromOptions(o), progress), model.UniqueParameters());
            case TrainingStage.Distill:
                var teacher = ModelCheckpoint.Load(o.Teacher!, device: device);
                teacher.ComputeType = model.ComputeType;
                return (new DistillationObjective(teacher, o.DistillAlpha, o.DistillTemperature), model.UniqueParameters());
            case TrainingStage.Reason:
                var tags = new[] { "<think>", "</think>", "<answer>", "</answer>" }.SelectMany(t => tokenizer.Encode(t)).Select(i => (long)i);
                return (new ReasoningObjective(tags, o.TagWeight) { ChunkedHead = o.ChunkedHead }, model.UniqueParameters());
            default:
                return (new CrossEntropyObjective(o.Stage.Name()) { ChunkedHead = o.ChunkedHead }, model.UniqueParameters());
        }
    }

    /// <summary>"cuda:0,cuda:1" or "all" -> the devices (checked); null or one device -> none (no data parallel).</summary>
    public static IReadOnlyList<Device> ParallelDevices(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) return [];
        if (spec.Trim() == "all")
            return cuda.is_available() ? Enumerable.Range(0, cuda.device_count()).Select(i => new Device(DeviceType.CUDA, i)).ToList()
                : throw new ArgumentException("devices = all needs CUDA devices; none is available.");
        var list = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(TorchRuntime.ResolveDevice).ToList();
        return list.Count > 1 ? list : [];
    }

    /// <summary>A copy of the prepared master on another device: the stage's parts (adapters, reference, teacher) built there, then the master's weights.</summary>
    static Replica Replicate(TrainingOptions o, MiniMindModel master, ByteLevelBpeTokenizer tokenizer, Device device)
    {
        var replica = new MiniMindModel(master.Config);
        replica.to(device);
        replica.ComputeType = master.ComputeType;
        var (objective, trainable) = StageParts(o, replica, tokenizer, device, null);
        var source = master.state_dict();
        using (no_grad())
            foreach (var (name, tensor) in replica.state_dict()) tensor.copy_(source[name]);
        return new Replica(replica, trainable, objective, device);
    }

    static LoraSettings LoraSettings(TrainingOptions o) => new(o.LoraRank, o.LoraAlpha ?? o.LoraRank, o.LoraTargets);

    public static DatasetKind Kind(TrainingStage stage) => stage switch
    {
        TrainingStage.Pretrain => DatasetKind.Pretrain,
        TrainingStage.Dpo => DatasetKind.Dpo,
        TrainingStage.Reason => DatasetKind.Reasoning,
        TrainingStage.Grpo => DatasetKind.Prompts,
        _ => DatasetKind.Sft,
    };

    /// <summary>auto: bf16 compute on CUDA (fp32 master weights), fp32 on the CPU; bf16-pure computes in bf16 too (its working copies are the trainer's).</summary>
    public static ScalarType? ComputeType(string precision, Device device) => precision switch
    {
        "bf16" or "bf16-pure" => ScalarType.BFloat16,
        "fp32" => null,
        _ => device.type == TorchSharp.DeviceType.CUDA ? ScalarType.BFloat16 : null,
    };

    /// <summary>The loader as the loop's data source.</summary>
    sealed class LoaderData(DataLoader loader) : ITrainingData, IDisposable
    {
        public void Dispose() => loader.Dispose();

        public long BatchesPerEpoch => loader.BatchesPerEpoch;

        public IEnumerable<(TokenBatch Batch, LoaderCursor Next)> Batches(CancellationToken cancellationToken = default) =>
            loader.Batches(cancellationToken);
    }

    /// <summary>The machine and versions, for the run's config.json.</summary>
    public static object Environment(RuntimeInfo runtime) => new
    {
        runtime = runtime.ToString(),
        machine = System.Environment.MachineName,
        os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        dotnet = System.Environment.Version.ToString(),
        cpus = System.Environment.ProcessorCount,
        started_utc = DateTimeOffset.UtcNow,
    };
}
