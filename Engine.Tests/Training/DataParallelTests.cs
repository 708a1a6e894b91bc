using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using MiniMind.Engine.Training;
using MiniMind.Engine.Training.Objectives;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

/// <summary>Data parallel on the CPU: two replicas must train exactly like one model on the doubled batch.</summary>
public sealed class DataParallelTests : IDisposable
{
    readonly string outDir = Directory.CreateTempSubdirectory("minimind-dp-").FullName;

    public void Dispose() => Directory.Delete(outDir, recursive: true);

    static readonly MiniMindConfig Small = new() { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, VocabSize = 64, MaxSeqLen = 32 };

    static MiniMindModel NewModel()
    {
        manual_seed(3);
        return new MiniMindModel(Small);
    }

    List<StepMetrics> Train(MiniMindModel model, IReadOnlyList<TokenBatch> batches, DataParallel? parallel)
    {
        var steps = new List<StepMetrics>();
        var options = new TrainingOptions { Epochs = 1, AccumulationSteps = 1, LearningRate = 3e-3, SaveEvery = 100 };
        var setup = new TrainerSetup
        {
            Options = options, Model = model, Trainable = model.UniqueParameters(), Objective = new CrossEntropyObjective("pretrain"),
            Data = new InMemoryData(batches), Device = CPU, Run = RunDirectory.Create(outDir, TrainingStage.Pretrain),
            OutputPath = Path.Combine(outDir, "dp.safetensors"), SaveOutput = (_, _) => { }, Parallel = parallel,
        };
        Assert.Equal(RunOutcome.Completed, Trainer.Run(setup, steps.Add).Outcome);
        return steps;
    }

    [Fact]
    public void TwoReplicas_TrainLikeOneModelOnTheWholeBatch()
    {
        var batches = InMemoryData.Random(4, rows: 4, length: 8, vocab: 64, seed: 11);
        using var single = NewModel();
        using var master = NewModel();
        var replica = NewModel(); // same seed: the loop broadcasts the master's weights anyway
        using var parallel = new DataParallel([new Replica(replica, replica.UniqueParameters(), new CrossEntropyObjective("pretrain"), CPU)]);

        var alone = Train(single, batches, null);
        var together = Train(master, batches, parallel);

        for (int i = 0; i < alone.Count; i++)
        {
            Assert.True(Math.Abs(alone[i].Loss - together[i].Loss) < 1e-5, $"step {i + 1}: {alone[i].Loss} vs {together[i].Loss}");
            Assert.True(Math.Abs(alone[i].GradNorm - together[i].GradNorm) < 1e-5, $"step {i + 1}: grad norm {alone[i].GradNorm} vs {together[i].GradNorm}");
        }
        foreach (var (a, b) in single.UniqueParameters().Zip(master.UniqueParameters())) Assert.True(Fixture.MaxAbsDiff(a, b) < 1e-5);
        foreach (var (a, b) in master.UniqueParameters().Zip(replica.UniqueParameters())) Assert.Equal(0f, Fixture.MaxAbsDiff(a, b));
    }

    [Fact]
    public void TrainingJob_WithTwoDevices_BuildsAReplica_AndTrainsLikeOne()
    {
        var options = SmallPretrainJob.Options(outDir, Small);
        List<StepMetrics> Run(TrainingOptions o)
        {
            var steps = new List<StepMetrics>();
            using var setup = TrainingJob.Prepare(o, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain));
            Assert.Equal(o.Devices is null ? 0 : 1, setup.Parallel?.Replicas.Count ?? 0);
            Trainer.Run(setup, steps.Add);
            return steps;
        }

        var alone = Run(options);
        var together = Run(options with { Devices = "cpu,cpu" });

        Assert.Equal(3, together.Count);
        for (int i = 0; i < 3; i++) Assert.True(Math.Abs(alone[i].Loss - together[i].Loss) < 1e-5, $"step {i + 1}: {alone[i].Loss} vs {together[i].Loss}");
    }

    [Fact]
    public void Split_KeepsDpoPairsTogether()
    {
        // 3 pairs: chosen rows 0,1,2 then rejected rows 3,4,5 (each row's first input is its row number)
        var batch = new TokenBatch([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5], new long[12], Enumerable.Repeat(1f, 12).ToArray(), 6, 2);

        var parts = DataParallel.Split(batch, 2, paired: true);

        Assert.Equal([0L, 3], parts[0].Inputs.Where((_, i) => i % 2 == 0));
        Assert.Equal([1L, 2, 4, 5], parts[1].Inputs.Where((_, i) => i % 2 == 0));
    }

    [Fact]
    public void Split_NeverMakesEmptyParts()
    {
        var batch = new TokenBatch([7, 8], [8, 9], [1, 1], 1, 2);

        Assert.Single(DataParallel.Split(batch, 4, paired: false));
    }
}
