using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MiniMind.Engine.Model;

namespace MiniMind.Engine.Training;

/// <summary>
/// Everything a training run needs, as one JSON-serialisable record (snake_case, like the seed's
/// argparse flags). <see cref="ForStage"/> gives the seed's defaults for each stage; <c>--set key=value</c>
/// overrides any field by its JSON name.
/// </summary>
public sealed record TrainingOptions
{
    [JsonPropertyName("stage"), JsonConverter(typeof(StageJsonConverter))]
    public TrainingStage Stage { get; init; } = TrainingStage.Pretrain;

    /// <summary>Model size for a run from scratch (pretrain): a preset name, unless <see cref="Model"/> is given.</summary>
    [JsonPropertyName("preset")] public string Preset { get; init; } = "tiny";
    [JsonPropertyName("model")] public MiniMindConfig? Model { get; init; }

    [JsonPropertyName("data_path")] public string DataPath { get; init; } = "dataset/pretrain_demo.jsonl";
    [JsonPropertyName("tokenizer_path")] public string TokenizerPath { get; init; } = "dataset/tokenizer";
    /// <summary>
    /// Starting checkpoint (.safetensors); null = the stage's default under out_dir, or from scratch for pretrain;
    /// <see cref="Scratch"/> = new weights of the preset or model config (a distillation student smaller than its teacher).
    /// </summary>
    [JsonPropertyName("init_from")] public string? InitFrom { get; init; }

    /// <summary>The init_from value that starts from new weights at any stage.</summary>
    public const string Scratch = "scratch";

    /// <summary>Whether the run starts from new weights because init_from says so.</summary>
    [JsonIgnore] public bool FromScratch => InitFrom == Scratch;
    [JsonPropertyName("out_dir")] public string OutDir { get; init; } = "out";
    /// <summary>Checkpoint name; null = the seed's naming (pretrain_512, full_sft_512_moe, lora_identity_512, ...).</summary>
    [JsonPropertyName("output_name")] public string? OutputName { get; init; }

    [JsonPropertyName("epochs")] public int Epochs { get; init; } = 1;
    /// <summary>Stop after this many optimizer steps (null: run all epochs).</summary>
    [JsonPropertyName("max_steps")] public long? MaxSteps { get; init; }
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 32;
    [JsonPropertyName("accumulation_steps")] public int AccumulationSteps { get; init; } = 8;
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 5e-4;
    [JsonPropertyName("lr_schedule")] public string LrSchedule { get; init; } = "cosine";
    [JsonPropertyName("warmup_steps")] public long WarmupSteps { get; init; }
    [JsonPropertyName("grad_clip")] public double GradClip { get; init; } = 1.0;
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; init; } = 0.01;
    [JsonPropertyName("adam_beta1")] public double AdamBeta1 { get; init; } = 0.9;
    [JsonPropertyName("adam_beta2")] public double AdamBeta2 { get; init; } = 0.999;
    [JsonPropertyName("adam_eps")] public double AdamEps { get; init; } = 1e-8;
    [JsonPropertyName("max_seq_len")] public int MaxSeqLen { get; init; } = 512;
    /// <summary>Pretraining only: concatenate documents into full sequences instead of padding each.</summary>
    [JsonPropertyName("packed")] public bool Packed { get; init; }
    [JsonPropertyName("seed")] public long Seed { get; init; } = 1337;
    [JsonPropertyName("device")] public string Device { get; init; } = "auto";
    /// <summary>Data parallel over several local devices, e.g. "cuda:0,cuda:1" or "all" (every CUDA device); null: one device.</summary>
    [JsonPropertyName("devices")] public string? Devices { get; init; }
    /// <summary>
    /// auto (bf16 on CUDA, fp32 on CPU), fp32, bf16 (fp32 weights cast to bf16 in each projection, fp32 residual
    /// stream, as autocast does) or bf16-pure (bf16 working copies of the weights and a bf16 residual stream, fp32
    /// master weights in the optimizer and the checkpoints; norms, softmax and the loss still in fp32).
    /// </summary>
    [JsonPropertyName("precision")] public string Precision { get; init; } = "auto";
    [JsonPropertyName("save_every")] public long SaveEvery { get; init; } = 100;
    /// <summary>
    /// Optimizer steps between host reads of the losses and gradient norms (each read waits for the GPU, which
    /// otherwise runs ahead of the loop); every step's metrics are still recorded. Null: 1 on the CPU, 10 on CUDA.
    /// </summary>
    [JsonPropertyName("sync_every")] public int? SyncEvery { get; init; }
    /// <summary>
    /// The current original's (minimind-3) optional data processing, off here by default because it is random: the share of
    /// conversations without a system turn or tools that get one of its system prompts (0.2 there), and the share whose
    /// empty think blocks are dropped (0.8 there). See <see cref="ChatProcessing"/>.
    /// </summary>
    [JsonPropertyName("system_prompt_ratio")] public double SystemPromptRatio { get; init; }
    [JsonPropertyName("empty_think_drop_ratio")] public double EmptyThinkDropRatio { get; init; }

    /// <summary>The processing these options ask for (null when none), drawn from <see cref="Seed"/>.</summary>
    [JsonIgnore]
    public Data.ChatProcessing? Processing =>
        SystemPromptRatio > 0 || EmptyThinkDropRatio > 0 ? new Data.ChatProcessing(SystemPromptRatio, EmptyThinkDropRatio, Seed) : null;

    /// <summary>Stop the run at the first bad record instead of skipping and counting it.</summary>
    [JsonPropertyName("fail_on_bad_records")] public bool FailOnBadRecords { get; init; }
    /// <summary>
    /// The output head and cross-entropy a chunk of tokens at a time (<see cref="Objectives.ChunkedHeadLoss"/>: the same
    /// loss and gradients in less memory) for pretrain, SFT, LoRA and reasoning; false: the whole logits tensor.
    /// </summary>
    [JsonPropertyName("chunked_head")] public bool ChunkedHead { get; init; } = true;

    [JsonPropertyName("lora_name")] public string LoraName { get; init; } = "identity";
    [JsonPropertyName("lora_rank")] public int LoraRank { get; init; } = 16;
    /// <summary>Scaling numerator; null = rank (scale 1, exactly the seed's LoRA).</summary>
    [JsonPropertyName("lora_alpha")] public double? LoraAlpha { get; init; }
    [JsonPropertyName("lora_dropout")] public double LoraDropout { get; init; }
    /// <summary>square (the seed's: every dim x dim projection) or all (every projection but the output head).</summary>
    [JsonPropertyName("lora_targets")] public string LoraTargets { get; init; } = "square";

    [JsonPropertyName("dpo_beta")] public double DpoBeta { get; init; } = 0.1;
    /// <summary>Weight of the chosen answers' per-token NLL added to the DPO loss (RPO); 0 = the seed's plain DPO.</summary>
    [JsonPropertyName("dpo_sft_weight")] public double DpoSftWeight { get; init; }
    [JsonPropertyName("teacher")] public string? Teacher { get; init; }
    [JsonPropertyName("distill_alpha")] public double DistillAlpha { get; init; }
    [JsonPropertyName("distill_temperature")] public double DistillTemperature { get; init; } = 1.0;
    [JsonPropertyName("tag_weight")] public double TagWeight { get; init; } = 10;

    // GRPO: defaults as MiniMind's newest trainer/train_grpo.py where it has them (6 completions per prompt, beta 0.1,
    // clip 0.2, 1,024 new tokens, temperature 0.8, one pass per sample)
    /// <summary>Completions sampled per prompt (the group whose rewards are compared).</summary>
    [JsonPropertyName("grpo_group_size")] public int GrpoGroupSize { get; init; } = 6;
    /// <summary>Weight of the per-token KL to the frozen reference (the k3 estimator).</summary>
    [JsonPropertyName("grpo_beta")] public double GrpoBeta { get; init; } = 0.1;
    /// <summary>PPO clipping of the probability ratio to [1 - eps, 1 + eps].</summary>
    [JsonPropertyName("grpo_clip_eps")] public double GrpoClipEps { get; init; } = 0.2;
    /// <summary>Optimizer passes over each sampled batch (the ratio is against the log-probabilities of the first).</summary>
    [JsonPropertyName("grpo_epochs")] public int GrpoEpochs { get; init; } = 1;
    [JsonPropertyName("grpo_max_new_tokens")] public int GrpoMaxNewTokens { get; init; } = 1024;
    [JsonPropertyName("grpo_temperature")] public double GrpoTemperature { get; init; } = 0.8;
    [JsonPropertyName("grpo_top_p")] public double GrpoTopP { get; init; } = 1.0;
    /// <summary>How the answer reward compares: exact, normalized (case, spaces, punctuation ignored) or contains (whole words).</summary>
    [JsonPropertyName("grpo_match")] public string GrpoMatch { get; init; } = "contains";
    /// <summary>Completion tokens the length penalty allows before it starts.</summary>
    [JsonPropertyName("grpo_length_target")] public int GrpoLengthTarget { get; init; } = 256;
    /// <summary>Weight of the answer match (1 or 0 per completion).</summary>
    [JsonPropertyName("reward_answer")] public double RewardAnswer { get; init; } = 1;
    /// <summary>Weight of the numeric match (the last number of the answer equals the reference).</summary>
    [JsonPropertyName("reward_numeric")] public double RewardNumeric { get; init; }
    /// <summary>Weight of the reasoning format reward (&lt;think&gt;…&lt;/think&gt;&lt;answer&gt;…&lt;/answer&gt;).</summary>
    [JsonPropertyName("reward_format")] public double RewardFormat { get; init; }
    /// <summary>Weight of the length penalty (0 to -1).</summary>
    [JsonPropertyName("reward_length")] public double RewardLength { get; init; }

    /// <summary>The seed's defaults for a stage (learning rate, batch, accumulation, sequence length, data).</summary>
    public static TrainingOptions ForStage(TrainingStage stage) => stage switch
    {
        TrainingStage.Pretrain => new() { Stage = stage },
        TrainingStage.Sft => new() { Stage = stage, LearningRate = 5e-5, BatchSize = 32, AccumulationSteps = 1, DataPath = "dataset/sft_demo.jsonl" },
        TrainingStage.Lora => new() { Stage = stage, LearningRate = 5e-5, BatchSize = 16, AccumulationSteps = 1, DataPath = "dataset/lora_identity.jsonl" },
        TrainingStage.Tools => new() { Stage = stage, LearningRate = 5e-5, BatchSize = 16, AccumulationSteps = 1, DataPath = "dataset/tool_demo.jsonl" },
        TrainingStage.Dpo => new() { Stage = stage, LearningRate = 1e-8, BatchSize = 8, AccumulationSteps = 1, MaxSeqLen = 512, DataPath = "dataset/dpo_demo.jsonl" },
        TrainingStage.Distill => new() { Stage = stage, LearningRate = 5e-6, BatchSize = 32, AccumulationSteps = 1, DataPath = "dataset/sft_demo.jsonl" },
        TrainingStage.Reason => new() { Stage = stage, LearningRate = 1e-6, BatchSize = 8, AccumulationSteps = 1, MaxSeqLen = 1024, DataPath = "dataset/reason_demo.jsonl" },
        // max_seq_len: the longest prompt (MiniMind's GRPO: 768 prompt tokens, plus max new tokens for the answer)
        TrainingStage.Grpo => new() { Stage = stage, LearningRate = 3e-7, BatchSize = 2, AccumulationSteps = 1, MaxSeqLen = 768, DataPath = "dataset/grpo_demo.jsonl" },
        _ => throw new ArgumentOutOfRangeException(nameof(stage)),
    };

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainingOptions FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingOptions>(json, Json) ?? throw new ArgumentException($"{source}: empty training config.");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{source}: invalid training config at {e.Path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Every path option (data, tokenizer, out folder, starting checkpoint, teacher) through <paramref name="resolve"/>, the
    /// host's meaning of a relative path (the command line: the working directory, else the studio's folder; the studio:
    /// its folder). Empty optional paths stay empty, and <c>init_from=scratch</c> is not a path.
    /// </summary>
    public TrainingOptions WithPaths(Func<string, string> resolve) => this with
    {
        DataPath = resolve(DataPath),
        TokenizerPath = resolve(TokenizerPath),
        OutDir = resolve(OutDir),
        InitFrom = string.IsNullOrWhiteSpace(InitFrom) ? null : FromScratch ? Scratch : resolve(InitFrom),
        Teacher = string.IsNullOrWhiteSpace(Teacher) ? null : resolve(Teacher),
    };

    /// <summary>Applies <c>key=value</c> overrides by JSON field name; values are JSON when they parse, else strings.</summary>
    public TrainingOptions With(IEnumerable<string> assignments)
    {
        var node = JsonNode.Parse(ToJson())!.AsObject();
        foreach (var assignment in assignments)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--set expects key=value; got \"{assignment}\".");
            var key = assignment[..eq].Trim();
            var raw = assignment[(eq + 1)..];
            if (!node.ContainsKey(key))
                throw new ArgumentException($"Unknown training option \"{key}\"; known: {string.Join(", ", node.Select(p => p.Key))}.");
            JsonNode? value;
            try { value = JsonNode.Parse(raw); }
            catch (JsonException) { value = JsonValue.Create(raw); }
            node[key] = value;
        }
        return FromJson(node.ToJsonString(), "--set");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming every bad field (<see cref="Problems"/>), one sentence each.</summary>
    public TrainingOptions Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems.Select(p => p.Sentence)));
        return this;
    }

    /// <summary>One bad option: its JSON field name, what is wrong, and the sentence the command line prints.</summary>
    public sealed record Problem(string Field, string Message, string Sentence);

    /// <summary>
    /// Every bad field with what is wrong: the one source of these rules for the command line, the studio's form (which
    /// shows each under its field, all at once) and the run manager. The model config's own rules come last.
    /// </summary>
    public IReadOnlyList<Problem> Problems()
    {
        var problems = new List<Problem>();
        void Require(bool ok, string field, object? value, string rule)
        {
            if (!ok) problems.Add(new Problem(field, $"{char.ToUpperInvariant(rule[0])}{rule[1..]}.", $"Invalid training option {field} = {value}: {rule}."));
        }
        Require(Epochs > 0, "epochs", Epochs, "must be positive");
        Require(MaxSteps is null || MaxSteps > 0, "max_steps", MaxSteps, "must be positive");
        Require(BatchSize > 0, "batch_size", BatchSize, "must be positive");
        Require(AccumulationSteps > 0, "accumulation_steps", AccumulationSteps, "must be positive");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "learning_rate", LearningRate, "must be positive");
        Require(LrSchedule is "cosine" or "constant", "lr_schedule", LrSchedule, "must be cosine or constant");
        Require(WarmupSteps >= 0, "warmup_steps", WarmupSteps, "must be >= 0");
        Require(GradClip > 0, "grad_clip", GradClip, "must be positive");
        Require(WeightDecay >= 0, "weight_decay", WeightDecay, "must be >= 0");
        Require(AdamBeta1 is >= 0 and < 1, "adam_beta1", AdamBeta1, "must be in [0, 1)");
        Require(AdamBeta2 is >= 0 and < 1, "adam_beta2", AdamBeta2, "must be in [0, 1)");
        Require(AdamEps > 0, "adam_eps", AdamEps, "must be positive");
        Require(MaxSeqLen >= Data.DataLoaderOptions.MinSeqLen, "max_seq_len", MaxSeqLen, $"must be at least {Data.DataLoaderOptions.MinSeqLen} (bos, a token, eos)");
        Require(SaveEvery > 0, "save_every", SaveEvery, "must be positive");
        Require(SyncEvery is null or > 0, "sync_every", SyncEvery, "must be positive");
        Require(Precision is "auto" or "fp32" or "bf16" or "bf16-pure", "precision", Precision, "must be auto, fp32, bf16 or bf16-pure");
        Require(SystemPromptRatio is >= 0 and <= 1, "system_prompt_ratio", SystemPromptRatio, "must be in [0, 1]");
        Require(EmptyThinkDropRatio is >= 0 and <= 1, "empty_think_drop_ratio", EmptyThinkDropRatio, "must be in [0, 1]");
        Require(DpoSftWeight >= 0 && double.IsFinite(DpoSftWeight), "dpo_sft_weight", DpoSftWeight, "must be >= 0");
        Require(LoraRank > 0, "lora_rank", LoraRank, "must be positive");
        Require(LoraAlpha is null || LoraAlpha > 0 && double.IsFinite(LoraAlpha.Value), "lora_alpha", LoraAlpha, "must be positive (or empty: the rank)");
        Require(LoraDropout is >= 0 and < 1, "lora_dropout", LoraDropout, "must be in [0, 1)");
        Require(LoraTargets is "square" or "all", "lora_targets", LoraTargets, "must be square or all");
        Require(!string.IsNullOrWhiteSpace(LoraName) && LoraName.All(c => char.IsLetterOrDigit(c) || c is '_' or '-'), "lora_name", LoraName, "must be letters, digits, _ or -");
        Require(!FromScratch || Stage != TrainingStage.Dpo, "init_from", InitFrom, "DPO needs a starting checkpoint (its reference model)");
        Require(!FromScratch || Stage != TrainingStage.Grpo, "init_from", InitFrom, "GRPO needs a starting checkpoint (its reference model)");
        Require(Stage != TrainingStage.Grpo || string.IsNullOrWhiteSpace(Devices), "devices", Devices, "GRPO runs on one device");
        Require(GrpoGroupSize >= 2, "grpo_group_size", GrpoGroupSize, "must be at least 2 (rewards are compared within a group)");
        Require(GrpoBeta >= 0 && double.IsFinite(GrpoBeta), "grpo_beta", GrpoBeta, "must be >= 0");
        Require(GrpoClipEps is > 0 and < 1, "grpo_clip_eps", GrpoClipEps, "must be in (0, 1)");
        Require(GrpoEpochs > 0, "grpo_epochs", GrpoEpochs, "must be positive");
        Require(GrpoMaxNewTokens > 0, "grpo_max_new_tokens", GrpoMaxNewTokens, "must be positive");
        Require(GrpoTemperature > 0 && double.IsFinite(GrpoTemperature), "grpo_temperature", GrpoTemperature, "must be positive (a group of identical greedy answers teaches nothing)");
        Require(GrpoTopP is > 0 and <= 1, "grpo_top_p", GrpoTopP, "must be in (0, 1]");
        Require(Rewards.AnswerMatchReward.Modes.Contains(GrpoMatch), "grpo_match", GrpoMatch, "must be exact, normalized or contains");
        Require(GrpoLengthTarget > 0, "grpo_length_target", GrpoLengthTarget, "must be positive");
        foreach (var (field, weight) in new[] { ("reward_answer", RewardAnswer), ("reward_numeric", RewardNumeric), ("reward_format", RewardFormat), ("reward_length", RewardLength) })
            Require(double.IsFinite(weight), field, weight, "must be a finite number");
        Require(Stage != TrainingStage.Grpo || RewardAnswer != 0 || RewardNumeric != 0 || RewardFormat != 0 || RewardLength != 0,
            "reward_answer", RewardAnswer, "GRPO needs at least one reward weight other than 0");
        Require(Stage != TrainingStage.Distill || !string.IsNullOrWhiteSpace(Teacher), "teacher", Teacher, "the distill stage needs a teacher checkpoint");
        Require(string.IsNullOrWhiteSpace(OutputName) || OutputName.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.'), "output_name", OutputName, "must be a plain file name");
        foreach (var (field, message) in Model?.Problems() ?? [])
            problems.Add(new Problem(field, $"{char.ToUpperInvariant(message[0])}{message[1..]}.", $"Invalid model config: {field} {message}."));
        return problems;
    }
}

/// <summary>Stages as lower-case names in JSON ("pretrain", "sft", ...).</summary>
sealed class StageJsonConverter() : JsonStringEnumConverter<TrainingStage>(JsonNamingPolicy.SnakeCaseLower);
