using MiniMind.Engine.Training;

namespace MiniMind.Studio.Tests.Services;

/// <summary>Training options for a run of a few seconds on the demo data (tiny preset, short sequences).</summary>
public static class TinyRun
{
    public static TrainingOptions Pretrain(long steps, string? outputName = null) => TrainingOptions.ForStage(TrainingStage.Pretrain) with
    {
        Preset = "tiny",
        Device = "cpu",
        MaxSteps = steps,
        MaxSeqLen = 32,
        BatchSize = 2,
        AccumulationSteps = 1,
        SaveEvery = 1000,
        OutputName = outputName,
    };
}
