using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using MiniMind.Engine.Training;
using MiniMind.Engine.Training.Objectives;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

/// <summary>bf16-pure training: bf16 working copies in forward and backward, fp32 master weights in the optimizer and the checkpoints.</summary>
public sealed class PureBf16Tests : IDisposable
{
    readonly string outDir = Directory.CreateTempSubdirectory("minimind-bf16-").FullName;

    public void Dispose() => Directory.Delete(outDir, recursive: true);

    static readonly MiniMindConfig Small = new() { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, VocabSize = 64, MaxSeqLen = 32 };

    static MiniMindModel NewModel(int seed = 3, MiniMindConfig? config = null)
    {
        manual_seed(seed);
        return new MiniMindModel(config ?? Small);
    }

    TrainerSetup Setup(MiniMindModel model, ITrainingData data, TrainingOptions options, bool pure, RunDirectory? run = null, bool resume = false,
        DataParallel? parallel = null, bool chunkedHead = true)
    {
        model.ComputeType = pure ? ScalarType.BFloat16 : null;
        return new TrainerSetup
        {
            Options = options, Model = model, Trainable = model.UniqueParameters(), Objective = new CrossEntropyObjective("pretrain") { ChunkedHead = chunkedHead },
            Data = data, Device = CPU, Run = run ?? RunDirectory.Create(outDir, TrainingStage.Pretrain),
            OutputPath = Path.Combine(outDir, "pure.safetensors"),
            SaveOutput = (path, step) => ModelCheckpoint.Save(model, path, new CheckpointInfo { Config = model.Config, Stage = "pretrain", Step = step }),
            Resume = resume, WorkingWeights = pure ? ScalarType.BFloat16 : null, Parallel = parallel,
        };
    }

    static readonly TrainingOptions Options = new() { Epochs = 1, AccumulationSteps = 1, LearningRate = 3e-3, SaveEvery = 4 };

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // MoE: the gate reads its working copy too, and softmaxes in fp32
    public void TrainsLikeFp32_WithinBf16Rounding_AndLeavesFp32WeightsThatTheModelReadsAgain(bool moe)
    {
        var config = moe ? Small with { UseMoe = true } : Small;
        var batches = InMemoryData.Random(8, 2, 8, 64, seed: 21);
        var fp32Steps = new List<StepMetrics>();
        var pureSteps = new List<StepMetrics>();
        using var fp32 = NewModel(config: config);
        using var pure = NewModel(config: config);
        using var initial = NewModel(config: config);
        Trainer.Run(Setup(fp32, new InMemoryData(batches), Options, pure: false), fp32Steps.Add);
        var setup = Setup(pure, new InMemoryData(batches), Options, pure: true);

        var result = Trainer.Run(setup, pureSteps.Add);

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        // bf16 rounds the activations once in each of the three products on the way to a token's loss (attention, MLP,
        // head), so the loss is known to about 3 bf16 roundings of its size; the weights to the AdamW drift of 8 steps.
        for (int i = 0; i < fp32Steps.Count; i++)
            Assert.True(Math.Abs(fp32Steps[i].Loss - pureSteps[i].Loss) <= 3 * Tolerance.Bf16 * fp32Steps[i].Loss, $"step {i + 1}: {fp32Steps[i].Loss} vs {pureSteps[i].Loss}");
        Assert.Contains(fp32Steps.Zip(pureSteps), p => p.First.Loss != p.Second.Loss); // bf16 really rounded somewhere
        Assert.All(pure.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        var drift = Tolerance.AdamWDrift(new LearningRateSchedule(Options.LearningRate, fp32Steps.Count).At(0), fp32Steps.Count);
        foreach (var (a, b) in fp32.UniqueParameters().Zip(pure.UniqueParameters())) Assert.True(Fixture.MaxAbsDiff(a, b) <= drift, $"{Fixture.MaxAbsDiff(a, b)} against {drift}");
        Assert.True(pure.UniqueParameters().Zip(initial.UniqueParameters()).Any(p => Fixture.MaxAbsDiff(p.First, p.Second) > 1e-3), "it trained");
        Assert.All(pure.Projections(), p => Assert.Null(p.Projection.Working)); // reads its fp32 weights again
        using var saved = ModelCheckpoint.Load(setup.OutputPath);
        foreach (var (a, b) in pure.UniqueParameters().Zip(saved.UniqueParameters())) Assert.Equal(0f, Fixture.MaxAbsDiff(a, b)); // the fp32 masters were saved
    }

    [Fact]
    public void CancelledAndResumed_EqualsTheUninterruptedRun()
    {
        var batches = InMemoryData.Random(10, 2, 8, 64, seed: 22);
        var full = new List<StepMetrics>();
        using (var model = NewModel()) Trainer.Run(Setup(model, new InMemoryData(batches), Options, pure: true), full.Add);

        using var cancel = new CancellationTokenSource();
        var run = RunDirectory.Create(outDir, TrainingStage.Pretrain);
        using (var model = NewModel())
            Trainer.Run(Setup(model, new InMemoryData(batches), Options, pure: true, run), m => { if (m.Step == 6) cancel.Cancel(); }, cancel.Token);
        var cursor = ResumeState.Read(run.ResumePath)!.Cursor;
        using (var model = NewModel(seed: 77))
            Assert.Equal(RunOutcome.Completed, Trainer.Run(Setup(model, new InMemoryData(batches, cursor), Options, pure: true, run, resume: true)).Outcome);

        var resumed = run.ReadMetrics();
        Assert.Equal(full.Select(m => m.Step), resumed.Select(m => m.Step));
        for (int i = 0; i < full.Count; i++) Assert.True(Math.Abs(full[i].Loss - resumed[i].Loss) <= 1e-5, $"step {i + 1}: {full[i].Loss} vs {resumed[i].Loss}");
    }

    [Fact]
    public void TwoReplicas_TrainLikeOneModel_WithinBf16Rounding()
    {
        var batches = InMemoryData.Random(4, rows: 4, length: 8, vocab: 64, seed: 23);
        var alone = new List<StepMetrics>();
        var together = new List<StepMetrics>();
        using (var single = NewModel()) Trainer.Run(Setup(single, new InMemoryData(batches), Options, pure: true), alone.Add);
        using var master = NewModel();
        var replica = NewModel();
        replica.ComputeType = ScalarType.BFloat16;
        using var parallel = new DataParallel([new Replica(replica, replica.UniqueParameters(), new CrossEntropyObjective("pretrain"), CPU)]);

        Trainer.Run(Setup(master, new InMemoryData(batches), Options, pure: true, parallel: parallel), together.Add);

        // two half batches round their bf16 products apart from the whole batch: one bf16 rounding of the loss
        for (int i = 0; i < alone.Count; i++) Assert.True(Math.Abs(alone[i].Loss - together[i].Loss) <= Tolerance.Bf16 * alone[i].Loss, $"step {i + 1}: {alone[i].Loss} vs {together[i].Loss}");
        foreach (var (a, b) in master.UniqueParameters().Zip(replica.UniqueParameters())) Assert.Equal(0f, Fixture.MaxAbsDiff(a, b));
    }

    [Fact]
    public void ChunkedHead_TrainsLikeTheFullLogits_WithAReplicaAndAccumulation()
    {
        var batches = InMemoryData.Random(8, rows: 4, length: 8, vocab: 64, seed: 24);
        var options = Options with { AccumulationSteps = 2 };
        (List<StepMetrics> Steps, MiniMindModel Model) Train(bool chunked)
        {
            var steps = new List<StepMetrics>();
            var master = NewModel();
            var replica = NewModel();
            replica.ComputeType = ScalarType.BFloat16;
            using var parallel = new DataParallel([new Replica(replica, replica.UniqueParameters(), new CrossEntropyObjective("pretrain") { ChunkedHead = chunked }, CPU)]);
            Trainer.Run(Setup(master, new InMemoryData(batches), options, pure: true, parallel: parallel, chunkedHead: chunked), steps.Add);
            return (steps, master);
        }

        var (full, fullModel) = Train(chunked: false);
        var (chunkedSteps, chunkedModel) = Train(chunked: true);

        // The two heads round the bf16 logits at different points (one product or chunks of it, in kernels that change with
        // the CPU), so each step's loss and gradient norm are known to one bf16 rounding of their own size (measured: equal
        // under default and avx512, 8.8e-4 and 1.4e-3 relative apart under avx2), and the weights to the AdamW drift of
        // its 4 optimizer steps (8 batches, 2 accumulated; measured 3.9e-3 under avx2, bound 0.027).
        Assert.Equal(full.Count, chunkedSteps.Count);
        for (int i = 0; i < full.Count; i++)
        {
            Assert.True(Math.Abs(full[i].Loss - chunkedSteps[i].Loss) <= Tolerance.Bf16 * full[i].Loss, $"step {i + 1}: loss {full[i].Loss} vs {chunkedSteps[i].Loss}");
            Assert.True(Math.Abs(full[i].GradNorm - chunkedSteps[i].GradNorm) <= Tolerance.Bf16 * full[i].GradNorm, $"step {i + 1}: norm {full[i].GradNorm} vs {chunkedSteps[i].GradNorm}");
        }
        var drift = Tolerance.AdamWDrift(new LearningRateSchedule(options.LearningRate, full.Count).At(0), full.Count);
        foreach (var (a, b) in fullModel.UniqueParameters().Zip(chunkedModel.UniqueParameters())) Assert.True(Fixture.MaxAbsDiff(a, b) <= drift, $"{Fixture.MaxAbsDiff(a, b)} against {drift}");
        fullModel.Dispose();
        chunkedModel.Dispose();
    }

    [Fact]
    public void TrainingJob_WithPrecisionBf16Pure_TrainsAndWritesAnFp32Checkpoint()
    {
        var options = SmallPretrainJob.Options(outDir, Small, lines: 24) with { Precision = "bf16-pure" };
        using var setup = TrainingJob.Prepare(options, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain));

        Assert.Equal(ScalarType.BFloat16, setup.WorkingWeights);
        Assert.Equal(ScalarType.BFloat16, setup.Model.ComputeType);
        Assert.Equal(RunOutcome.Completed, Trainer.Run(setup).Outcome);
        using var saved = ModelCheckpoint.Load(setup.OutputPath);
        Assert.All(saved.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.Contains("bf16-pure", Assert.Throws<ArgumentException>(() => (options with { Precision = "bf17" }).Validate()).Message);
    }

    [Fact]
    public void LoraAdapters_TrainInBf16Pure_TheFrozenBaseUntouched()
    {
        using var model = NewModel();
        using var frozen = NewModel();
        var adapters = LoRAAdapters.Attach(model, new LoraSettings(4, 4, "square"));
        model.ComputeType = ScalarType.BFloat16;
        var setup = Setup(model, new InMemoryData(InMemoryData.Random(6, 2, 8, 64, seed: 24)), Options, pure: true) with { Trainable = adapters };

        Assert.Equal(RunOutcome.Completed, Trainer.Run(setup).Outcome);

        var state = model.state_dict();
        foreach (var (name, weight) in frozen.state_dict()) Assert.Equal(0f, Fixture.MaxAbsDiff(state[name], weight)); // base weights as they were
        Assert.Contains(model.named_parameters(), p => p.name.EndsWith("lora.B.weight") && p.parameter.abs().max().item<float>() > 0); // B left zero: it trained
        Assert.All(adapters, p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void Forward_ReadsTheWorkingCopies_UntilTheyAreDropped()
    {
        using var model = NewModel();
        model.eval();
        var parameters = model.UniqueParameters();
        var ids = tensor(new long[] { 1, 2, 3, 4 }, [1, 4]);
        using var _ = no_grad();
        var before = model.Forward(ids).Logits.clone();
        var zeros = parameters.Select(p => zeros_like(p, dtype: ScalarType.BFloat16)).ToList();

        model.UseWorkingWeights(parameters, zeros);
        var zeroed = model.Forward(ids).Logits;
        model.UseWorkingWeights(parameters, null);

        Assert.Equal(0f, zeroed.abs().max().to(ScalarType.Float32).item<float>()); // the tied head read its (zero) copy
        Assert.Equal(0f, Fixture.MaxAbsDiff(model.Forward(ids).Logits, before));
    }
}
