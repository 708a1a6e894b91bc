using MiniMind.Engine.Model;

namespace MiniMind.Engine.Training;

/// <summary>
/// The demo recipe: what works for each stage on the bundled demo corpus on a CPU, measured (docs/training.md, "The demo
/// recipe"). The seed's rates are for hundreds of millions of tokens (a DPO rate of 1e-8 trains nothing here); these are
/// far higher, with short sequences and small batches, so the whole pipeline runs in about five minutes on two cores.
/// Each stage starts from the previous one's checkpoint under <c>out_dir</c>: pretrain -> SFT -> DPO, then LoRA and
/// reasoning on the DPO model, and distillation of the SFT model into a student a quarter of its size.
/// </summary>
public static class DemoRecipe
{
    public const string PretrainName = "demo_pretrain", SftName = "demo_full_sft", DpoName = "demo_rlhf",
        LoraName = "demo_lora_juniper", ReasonName = "demo_reason", DistillName = "demo_distill", GrpoName = "demo_grpo", ToolsName = "demo_tools";

    /// <summary>
    /// The model shapes the demo trains: MiniMind2's (Llama-shaped, the default) and minimind-3's (Qwen3-shaped: q/k norms,
    /// its FFN rule and rope base), both at the CPU demo's size.
    /// </summary>
    public static readonly IReadOnlyList<string> Presets = ["tiny", "minimind3-tiny"];

    /// <summary>The distillation student of the tiny preset (<see cref="StudentOf"/>).</summary>
    public static readonly MiniMindConfig Student = StudentOf("tiny");

    /// <summary>A preset's distillation student: the same shape at half its width, depth and heads (about a quarter of its parameters).</summary>
    public static MiniMindConfig StudentOf(string preset)
    {
        var teacher = MiniMindConfig.Preset(preset);
        return teacher with { Dim = teacher.Dim / 2, NLayers = Math.Max(1, teacher.NLayers / 2), NHeads = Math.Max(1, teacher.NHeads / 2), NKvHeads = Math.Max(1, teacher.KvHeads / 2) };
    }

    /// <summary>
    /// The demo recipe's options for a stage, reading and writing checkpoints under <paramref name="outDir"/>;
    /// <paramref name="preset"/> (one of <see cref="Presets"/>) is the shape pretraining builds and the student distillation builds.
    /// </summary>
    public static TrainingOptions For(TrainingStage stage, string outDir = "out", string preset = "tiny")
    {
        var common = TrainingOptions.ForStage(stage) with
        {
            Preset = preset,
            TokenizerPath = "dataset/tokenizer",
            OutDir = outDir,
            AccumulationSteps = 1,
            BatchSize = 16,
            MaxSeqLen = 96,
            SaveEvery = 50,
        };
        return stage switch
        {
            TrainingStage.Pretrain => common with
            {
                DataPath = "dataset/pretrain_demo.jsonl",
                OutputName = PretrainName,
                Epochs = 8,
                MaxSeqLen = 128,
                Packed = true,
                LearningRate = 2e-3,
                WarmupSteps = 20,
            },
            TrainingStage.Sft => common with
            {
                DataPath = "dataset/sft_demo.jsonl",
                InitFrom = In(outDir, PretrainName),
                OutputName = SftName,
                Epochs = 2,
                LearningRate = 1e-3,
                WarmupSteps = 10,
            },
            // plain DPO (dpo_sft_weight 0) widens the margin by pushing both answers down: the model stops refusing but
            // does not learn to answer; the chosen answers' NLL keeps them likely (measured: 0% -> 90% preferred answers)
            TrainingStage.Dpo => common with
            {
                DataPath = "dataset/dpo_demo.jsonl",
                InitFrom = In(outDir, SftName),
                OutputName = DpoName,
                Epochs = 3,
                BatchSize = 8,
                LearningRate = 3e-4,
                WarmupSteps = 5,
                DpoBeta = 0.1,
                DpoSftWeight = 1,
            },
            // the seed's square targets (q and o only, at this size) cannot move a confident model in a few steps
            TrainingStage.Lora => common with
            {
                DataPath = "dataset/lora_identity.jsonl",
                InitFrom = In(outDir, DpoName),
                OutputName = LoraName,
                LoraName = "juniper",
                Epochs = 6,
                LearningRate = 2e-3,
                WarmupSteps = 5,
                LoraRank = 16,
                LoraTargets = "all",
            },
            TrainingStage.Reason => common with
            {
                DataPath = "dataset/reason_demo.jsonl",
                InitFrom = In(outDir, DpoName),
                OutputName = ReasonName,
                Epochs = 3,
                MaxSeqLen = 128,
                LearningRate = 5e-4,
                WarmupSteps = 5,
            },
            // calls of the built-in tools (sums beyond the small ones SFT taught, the people of the world) with plain
            // conversations mixed in, from the DPO model; a record with its tools and a tool's result is long
            TrainingStage.Tools => common with
            {
                DataPath = "dataset/tool_demo.jsonl",
                InitFrom = In(outDir, DpoName),
                OutputName = ToolsName,
                Epochs = 4,
                MaxSeqLen = 336, // the longest record (a person's facts in Chinese) is 325 tokens
                LearningRate = 1e-3,
                WarmupSteps = 10,
            },
            TrainingStage.Distill => common with
            {
                DataPath = "dataset/sft_demo.jsonl",
                InitFrom = TrainingOptions.Scratch,
                Model = StudentOf(preset),
                Teacher = In(outDir, SftName),
                OutputName = DistillName,
                Epochs = 3,
                LearningRate = 3e-3,
                WarmupSteps = 10,
                DistillAlpha = 0.5,
                DistillTemperature = 1.0,
            },
            // short answers: 24 new tokens hold any demo answer and its eos; max_seq_len bounds the prompt
            TrainingStage.Grpo => common with
            {
                DataPath = "dataset/grpo_demo.jsonl",
                InitFrom = In(outDir, SftName),
                OutputName = GrpoName,
                Epochs = 2,
                BatchSize = 4,
                MaxSeqLen = 64,
                LearningRate = 1e-4,
                WarmupSteps = 5,
                GrpoGroupSize = 8,
                GrpoMaxNewTokens = 24,
                GrpoTemperature = 1.0,
                GrpoBeta = 0.04,
                SaveEvery = 20,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(stage)),
        };
    }

    static string In(string outDir, string name) => Path.Combine(outDir, name + ".safetensors");
}
