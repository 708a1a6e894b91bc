using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using MiniMind.Engine.Training;
using MiniMind.Engine.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    readonly string outDir = Directory.CreateTempSubdirectory("minimind-train-").FullName;

    public void Dispose() => Directory.Delete(outDir, recursive: true);

    static readonly MiniMindConfig Small = new() { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, VocabSize = 64, MaxSeqLen = 32 };

    TrainerSetup Setup(MiniMindModel model, ITrainingData data, TrainingOptions options, RunDirectory? run = null, IObjective? objective = null, bool resume = false) => new()
    {
        Options = options,
        Model = model,
        Trainable = model.UniqueParameters(),
        Objective = objective ?? new CrossEntropyObjective("pretrain"),
        Data = data,
        Device = CPU,
        Run = run ?? RunDirectory.Create(outDir, options.Stage),
        OutputPath = Path.Combine(outDir, "pretrain_32.safetensors"),
        SaveOutput = (path, step) => ModelCheckpoint.Save(model, path, new CheckpointInfo { Config = model.Config, Stage = "pretrain", Step = step }),
        Resume = resume,
    };

    static MiniMindModel NewModel(int seed = 3, double dropout = 0)
    {
        manual_seed(seed);
        return new MiniMindModel(Small with { Dropout = dropout });
    }

    [Fact]
    public void FiveSteps_ThroughTheLoop_MatchTheSeedsAdamW()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        var ids = io["input_ids"];
        var batch = new TokenBatch(ids.narrow(1, 0, 23).contiguous().data<long>().ToArray(), ids.narrow(1, 1, 23).contiguous().data<long>().ToArray(),
            io["loss_mask"].to(ScalarType.Float32).data<float>().ToArray(), 2, 23);
        var options = new TrainingOptions { Epochs = 5, BatchSize = 2, AccumulationSteps = 1, LearningRate = 1e-3, LrSchedule = "constant", SaveEvery = 100 };
        var steps = new List<StepMetrics>();

        var result = Trainer.Run(Setup(model, new InMemoryData([batch]), options), steps.Add);

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        var losses = io["train_losses"].data<float>().ToArray();
        var norms = io["train_grad_norms"].data<float>().ToArray();
        for (int i = 0; i < 5; i++)
        {
            Assert.True(Math.Abs(steps[i].Loss - losses[i]) <= 1e-4, $"step {i}: {steps[i].Loss} vs {losses[i]}");
            Assert.True(Math.Abs(steps[i].GradNorm - norms[i]) <= 1e-3 * norms[i], $"step {i}: {steps[i].GradNorm} vs {norms[i]}");
        }
        double sum = model.UniqueParameters().Sum(p => p.sum().item<float>());
        Assert.True(Math.Abs(sum - io["param_sum_after"].item<float>()) <= 1e-3 * Math.Abs(io["param_sum_after"].item<float>()));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.2)] // dropout draws the same masks after the resume: the generators are seeded per step
    public void CancelledRun_Resumed_ContinuesWithTheUninterruptedLosses(double dropout)
    {
        var batches = InMemoryData.Random(12, 2, 8, 64, seed: 5);
        var options = new TrainingOptions { Epochs = 1, AccumulationSteps = 1, LearningRate = 3e-3, SaveEvery = 3 };
        var full = new List<StepMetrics>();
        using (var model = NewModel(dropout: dropout)) Trainer.Run(Setup(model, new InMemoryData(batches), options), full.Add);

        int stopAt = new System.Random().Next(2, 11);
        using var cancel = new CancellationTokenSource();
        var run = RunDirectory.Create(outDir, TrainingStage.Pretrain);
        using (var model = NewModel(dropout: dropout))
        {
            var first = Trainer.Run(Setup(model, new InMemoryData(batches), options, run), m => { if (m.Step == stopAt) cancel.Cancel(); }, cancel.Token);
            Assert.Equal(RunOutcome.Cancelled, first.Outcome);
            Assert.Equal(stopAt, first.Steps);
        }
        var cursor = ResumeState.Read(run.ResumePath)!.Cursor;
        using (var model = NewModel(seed: 99, dropout: dropout)) // different init and generator state: the resume must replace both
        {
            var second = Trainer.Run(Setup(model, new InMemoryData(batches, cursor), options, run, resume: true));
            Assert.Equal(RunOutcome.Completed, second.Outcome);
        }

        var resumed = run.ReadMetrics();
        Assert.Equal(full.Select(m => m.Step), resumed.Select(m => m.Step));
        for (int i = 0; i < full.Count; i++)
            Assert.True(Math.Abs(full[i].Loss - resumed[i].Loss) <= 1e-5, $"step {i + 1} (stopped at {stopAt}): {full[i].Loss} vs {resumed[i].Loss}");
    }

    [Fact]
    public void CrashedRun_ResumesFromItsLastSave_AndDropsTheLaterMetrics()
    {
        var batches = InMemoryData.Random(9, 2, 8, 64, seed: 6);
        var options = new TrainingOptions { Epochs = 1, AccumulationSteps = 1, LearningRate = 3e-3, SaveEvery = 3 };
        var full = new List<StepMetrics>();
        using (var model = NewModel()) Trainer.Run(Setup(model, new InMemoryData(batches), options), full.Add);

        var run = RunDirectory.Create(outDir, TrainingStage.Pretrain);
        using (var model = NewModel())
            Assert.Throws<IOException>(() => Trainer.Run(Setup(model, new InMemoryData(batches), options, run),
                m => { if (m.Step == 5) throw new IOException("simulated kill after step 5"); }));
        Assert.Equal(5, run.ReadMetrics().Count);
        var state = ResumeState.Read(run.ResumePath)!;
        Assert.Equal(3, state.Step);

        using (var model = NewModel(seed: 42))
            Trainer.Run(Setup(model, new InMemoryData(batches, state.Cursor), options, run, resume: true));

        var resumed = run.ReadMetrics();
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), resumed.Select(m => m.Step));
        for (int i = 0; i < 9; i++) Assert.True(Math.Abs(full[i].Loss - resumed[i].Loss) <= 1e-5, $"step {i + 1}");
    }

    [Fact]
    public void RunKilledBeforeItsFirstSave_ResumesFromTheStart_WithoutDuplicateMetrics()
    {
        var batches = InMemoryData.Random(6, 2, 8, 64, seed: 14);
        var options = new TrainingOptions { Epochs = 1, AccumulationSteps = 1, LearningRate = 3e-3, SaveEvery = 100 };
        var run = RunDirectory.Create(outDir, TrainingStage.Pretrain);
        using (var model = NewModel())
            Assert.Throws<IOException>(() => Trainer.Run(Setup(model, new InMemoryData(batches), options, run),
                m => { if (m.Step == 2) throw new IOException("simulated kill before the first save"); }));
        Assert.Null(ResumeState.Read(run.ResumePath));

        using (var model = NewModel())
            Trainer.Run(Setup(model, new InMemoryData(batches), options, run, resume: true));

        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), run.ReadMetrics().Select(m => m.Step));
    }

    [Fact]
    public void Accumulation_FourByTwo_GivesTheSameUpdateAsOneBatchOfEight()
    {
        var small = InMemoryData.Random(4, 2, 8, 64, seed: 7);
        var big = new TokenBatch(small.SelectMany(b => b.Inputs).ToArray(), small.SelectMany(b => b.Targets).ToArray(),
            small.SelectMany(b => b.LossMask).ToArray(), 8, 8);
        var accumulated = new TrainingOptions { MaxSteps = 1, AccumulationSteps = 4, LearningRate = 1e-2, LrSchedule = "constant" };
        var single = accumulated with { AccumulationSteps = 1 };

        using var a = NewModel();
        using var b = NewModel();
        var stepA = new List<StepMetrics>();
        var stepB = new List<StepMetrics>();
        Trainer.Run(Setup(a, new InMemoryData(small), accumulated), stepA.Add);
        Trainer.Run(Setup(b, new InMemoryData([big]), single), stepB.Add);

        Assert.True(Math.Abs(stepB[0].Loss - stepA[0].Loss) < 1e-5, $"{stepA[0].Loss} vs {stepB[0].Loss}");
        Assert.True(Math.Abs(stepB[0].GradNorm - stepA[0].GradNorm) < 1e-5, $"{stepA[0].GradNorm} vs {stepB[0].GradNorm}");
        // AdamW's first step moves each weight by lr * g / (|g| + eps): a gradient element that cancels to about eps
        // (1e-8) turns the summation-order rounding of 4 x 2 rows against 8 into up to 1e-3 of lr (1e-2) there
        foreach (var (pa, pb) in a.UniqueParameters().Zip(b.UniqueParameters()))
            Assert.True(Fixture.MaxAbsDiff(pa, pb) < 1e-5, $"{Fixture.MaxAbsDiff(pa, pb)} in a {string.Join("x", pa.shape)} weight");
    }

    [Fact]
    public void NonFiniteLoss_StopsTheRun_KeepingTheLastGoodCheckpoint()
    {
        var batches = InMemoryData.Random(6, 2, 8, 64, seed: 8);
        var options = new TrainingOptions { Epochs = 1, AccumulationSteps = 1, LearningRate = 1e-3, SaveEvery = 1 };
        using var model = NewModel();
        var setup = Setup(model, new InMemoryData(batches), options, objective: new PoisonedObjective(poisonAtCall: 3));

        var result = Trainer.Run(setup);

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("step 3", result.Message);
        Assert.Contains("step 2", result.Message);
        Assert.Equal(2, ModelCheckpoint.ReadInfo(setup.OutputPath)!.Step);
        using var saved = ModelCheckpoint.Load(setup.OutputPath);
        foreach (var (p, q) in model.UniqueParameters().Zip(saved.UniqueParameters()))
            Assert.Equal(0f, Fixture.MaxAbsDiff(p, q)); // the poisoned step never reached the weights
    }

    [Fact]
    public void SyncEveryFour_ReportsEveryStep_WithTheLossesOfAReadPerStep()
    {
        var batches = InMemoryData.Random(10, 2, 8, 64, seed: 12);
        var options = new TrainingOptions { Epochs = 1, AccumulationSteps = 1, LearningRate = 3e-3, SaveEvery = 100 };
        var eachStep = new List<StepMetrics>();
        var everyFour = new List<StepMetrics>();
        var delivered = new List<int>(); // how many steps had been reported when each report arrived
        using (var model = NewModel()) Trainer.Run(Setup(model, new InMemoryData(batches), options with { SyncEvery = 1 }), eachStep.Add);
        using (var model = NewModel())
            Trainer.Run(Setup(model, new InMemoryData(batches), options with { SyncEvery = 4 }), m => { everyFour.Add(m); delivered.Add(everyFour.Count); });

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), everyFour.Select(m => m.Step));
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(eachStep[i].Loss, everyFour[i].Loss, 6);
            Assert.Equal(eachStep[i].GradNorm, everyFour[i].GradNorm, 6);
            Assert.Equal(eachStep[i].LearningRate, everyFour[i].LearningRate);
            Assert.True(everyFour[i].TokensPerSecond > 0);
        }
    }

    [Fact]
    public void NonFiniteLoss_InsideASyncBlock_FailsAtThatStep_WithTheWeightsOfTheStepBefore()
    {
        var batches = InMemoryData.Random(10, 2, 8, 64, seed: 13);
        var options = new TrainingOptions { Epochs = 1, AccumulationSteps = 1, LearningRate = 3e-3, LrSchedule = "constant", SaveEvery = 100, SyncEvery = 4 };
        using var good = NewModel();
        Trainer.Run(Setup(good, new InMemoryData(batches), options with { MaxSteps = 5 }));
        using var model = NewModel();
        var setup = Setup(model, new InMemoryData(batches), options, objective: new PoisonedObjective(poisonAtCall: 6));
        var reported = new List<StepMetrics>();

        var result = Trainer.Run(setup, reported.Add); // steps 5-8 are one block: 6 is bad, 7 and 8 run after it on the device

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("step 6", result.Message);
        Assert.Equal(5, result.Steps);
        Assert.Equal([1L, 2, 3, 4, 5], reported.Select(m => m.Step));
        Assert.Equal(5, setup.Run.ReadMetrics().Count);
        foreach (var (p, q) in good.UniqueParameters().Zip(model.UniqueParameters()))
            Assert.Equal(0f, Fixture.MaxAbsDiff(p, q)); // neither step 6 nor the steps after it reached the weights
    }

    [Fact]
    public void EmptyData_FailsWithAClearMessage()
    {
        using var model = NewModel();
        var result = Trainer.Run(Setup(model, new InMemoryData([]), new TrainingOptions()));

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("empty", result.Message);
    }

    [Fact]
    public void Metrics_AreStreamedAndWrittenPerOptimizerStep()
    {
        var batches = InMemoryData.Random(8, 2, 8, 64, seed: 9);
        var options = new TrainingOptions { Epochs = 1, AccumulationSteps = 2, LearningRate = 1e-3 };
        using var model = NewModel();
        var streamed = new List<StepMetrics>();
        var setup = Setup(model, new InMemoryData(batches), options);

        Trainer.Run(setup, streamed.Add);

        Assert.Equal([1L, 2, 3, 4], streamed.Select(m => m.Step));
        Assert.All(streamed, m => Assert.Equal(4, m.TotalSteps));
        Assert.Equal(streamed.Select(m => m.Loss), setup.Run.ReadMetrics().Select(m => m.Loss));
        Assert.All(streamed, m => Assert.True(m.TokensPerSecond > 0 && m.UsefulTokensPerSecond == m.TokensPerSecond));
        Assert.Equal(new LearningRateSchedule(1e-3, 4).At(0), streamed[0].LearningRate, 12);
    }

    /// <summary>Cross-entropy that turns NaN on its n-th call.</summary>
    sealed class PoisonedObjective(int poisonAtCall) : IObjective
    {
        readonly CrossEntropyObjective inner = new("pretrain");
        int calls;

        public string Name => "poisoned";

        public ObjectiveResult Compute(MiniMindModel model, BatchTensors batch)
        {
            var r = inner.Compute(model, batch);
            return ++calls == poisonAtCall ? r with { Loss = r.Loss * float.NaN } : r;
        }

        public void Dispose() => inner.Dispose();
    }
}
