using MiniMind.Engine.Model;
using MiniMind.Engine.Training;
using MiniMind.Engine.Training.Objectives;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

/// <summary>TrainingJob.Prepare's refusals: what a user sees when the data is not what the options ask for.</summary>
public sealed class TrainingJobTests : IDisposable
{
    readonly string outDir = Directory.CreateTempSubdirectory("minimind-job-").FullName;

    public void Dispose() => Directory.Delete(outDir, recursive: true);

    [Fact]
    public void FailOnBadRecords_RefusesTheFile_NamingItsFirstBadRecord()
    {
        var options = SmallPretrainJob.Options(outDir, new MiniMindConfig { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 32 }, lines: 10);
        File.AppendAllLines(options.DataPath, ["{\"txt\": \"no text field\"}"]);

        using (TrainingJob.Prepare(options, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain))) { } // by default the bad record is skipped
        var error = Assert.Throws<InvalidDataException>(() =>
            TrainingJob.Prepare(options with { FailOnBadRecords = true, Packed = false }, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain)));

        Assert.Contains("pretrain.jsonl", error.Message);
        Assert.Contains(":11", error.Message);
    }

    [Fact]
    public void ChunkedHead_IsTheDefault_AndTheOptionTrainsOnTheWholeLogitsWithTheSameLosses()
    {
        var options = SmallPretrainJob.Options(outDir, new MiniMindConfig { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 32 }, lines: 16)
            with { LrSchedule = "constant" };
        Assert.True(options.ChunkedHead);
        Assert.False(options.With(["chunked_head=false"]).ChunkedHead); // as train --set chunked_head=false gives it
        List<StepMetrics> Train(bool chunked)
        {
            var steps = new List<StepMetrics>();
            using var setup = TrainingJob.Prepare(options with { ChunkedHead = chunked }, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain));
            Assert.Equal(chunked, Assert.IsType<CrossEntropyObjective>(setup.Objective).ChunkedHead);
            Assert.Equal(RunOutcome.Completed, Trainer.Run(setup, steps.Add).Outcome);
            return steps;
        }

        var chunkedSteps = Train(true);
        var full = Train(false);

        Assert.Equal(full.Count, chunkedSteps.Count);
        for (int i = 0; i < full.Count; i++) Assert.True(Math.Abs(full[i].Loss - chunkedSteps[i].Loss) < 1e-4, $"step {i + 1}: {full[i].Loss} vs {chunkedSteps[i].Loss}");
    }
}
