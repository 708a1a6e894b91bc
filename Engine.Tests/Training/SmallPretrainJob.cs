using MiniMind.Engine.Model;
using MiniMind.Engine.Training;

namespace MiniMind.Engine.Tests.Training;

/// <summary>A three-step pretraining job on a small generated jsonl with the seed tokenizer, for tests that go through TrainingJob.</summary>
public static class SmallPretrainJob
{
    public static TrainingOptions Options(string outDir, MiniMindConfig model, int lines = 40)
    {
        var data = Path.Combine(outDir, "pretrain.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, lines).Select(i => System.Text.Json.JsonSerializer.Serialize(new { text = $"第{i}句：小明有{i % 7}个苹果。Bob has {i} pears." })));
        return TrainingOptions.ForStage(TrainingStage.Pretrain) with
        {
            Model = model with { VocabSize = 6400 },
            DataPath = data,
            TokenizerPath = Fixture.Path("seed-tokenizer"),
            OutDir = outDir,
            MaxSteps = 3,
            BatchSize = 4,
            AccumulationSteps = 1,
            MaxSeqLen = 32,
            Packed = true,
            LearningRate = 3e-3,
        };
    }
}
