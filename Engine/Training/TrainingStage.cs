namespace MiniMind.Engine.Training;

/// <summary>The training stages of MiniMind, each one objective on the shared loop.</summary>
public enum TrainingStage
{
    Pretrain,
    Sft,
    Lora,
    Dpo,
    Distill,
    Reason,
    Grpo,
    /// <summary>Tool use: SFT (the same objective and masks) on conversations where the assistant calls tools and answers from their results.</summary>
    Tools,
}

public static class TrainingStages
{
    public static TrainingStage Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "pretrain" => TrainingStage.Pretrain,
        "sft" or "full_sft" => TrainingStage.Sft,
        "lora" => TrainingStage.Lora,
        "dpo" or "rlhf" => TrainingStage.Dpo,
        "distill" or "distillation" => TrainingStage.Distill,
        "reason" or "reasoning" => TrainingStage.Reason,
        "grpo" => TrainingStage.Grpo,
        "tools" or "tool_use" => TrainingStage.Tools,
        _ => throw new ArgumentException($"Unknown training stage \"{name}\": use pretrain, sft, lora, dpo, distill, reason, grpo or tools."),
    };

    public static string Name(this TrainingStage stage) => stage.ToString().ToLowerInvariant();
}
