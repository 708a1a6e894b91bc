using MiniMind.Engine.Training;

namespace MiniMind.Studio.Services;

/// <summary>
/// "Train the demo model": the tiny preset pretrained on the demo corpus, then fine-tuned on the demo
/// conversations. Short sequences, small batches and packing keep it to a few minutes on two CPU cores.
/// The rates are far above the seed's (which are for hundreds of millions of tokens): measured on this
/// corpus, these take the demo quiz from 0% (untrained, pretrain only) to about 35% after SFT
/// (docs/training.md, "The demo recipe").
/// </summary>
public static class DemoRecipe
{
    public static TrainingOptions Pretrain() => TrainingOptions.ForStage(TrainingStage.Pretrain) with
    {
        Preset = "tiny", DataPath = "dataset/pretrain_demo.jsonl", TokenizerPath = "dataset/tokenizer",
        Epochs = 4, MaxSeqLen = 128, BatchSize = 16, AccumulationSteps = 1, Packed = true, LearningRate = 2e-3, WarmupSteps = 20, SaveEvery = 50,
        OutputName = "demo_pretrain",
    };

    public static TrainingOptions Sft(string pretrainCheckpoint) => TrainingOptions.ForStage(TrainingStage.Sft) with
    {
        Preset = "tiny", DataPath = "dataset/sft_demo.jsonl", TokenizerPath = "dataset/tokenizer", InitFrom = pretrainCheckpoint,
        Epochs = 2, MaxSeqLen = 96, BatchSize = 16, AccumulationSteps = 1, LearningRate = 1e-3, WarmupSteps = 10, SaveEvery = 50,
        OutputName = "demo_full_sft",
    };
}
