using MiniMind.Engine.Model;
using MiniMind.Engine.Training;
using MiniMind.Engine.Training.Objectives;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

/// <summary>The flat-buffer optimizer against TorchSharp's AdamW + clip_grad_norm_, and its skip-on-non-finite rule.</summary>
public sealed class FusedAdamWTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-adamw-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly MiniMindConfig Small = new() { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, VocabSize = 64, MaxSeqLen = 32 };

    static MiniMindModel NewModel()
    {
        manual_seed(7);
        var model = new MiniMindModel(Small);
        model.train();
        return model;
    }

    static readonly List<(Tensor X, Tensor Y)> Batches = InMemoryData.Random(12, 3, 10, 64, seed: 4)
        .Select(b => (tensor(b.Inputs, [b.Rows, b.Length]).DetachFromDisposeScope(), tensor(b.Targets, [b.Rows, b.Length]).DetachFromDisposeScope()))
        .ToList();

    static Tensor Loss(MiniMindModel model, int i)
    {
        var (x, y) = Batches[i % Batches.Count];
        var (logits, aux) = model.Forward(x);
        return ObjectiveResult.WithAux(TokenLoss.PerTokenCrossEntropy(logits, y).mean(), aux);
    }

    [Theory]
    [InlineData(1.0, 0.01)]  // the seed's clip and decay (the clip rarely bites here)
    [InlineData(0.05, 0.1)]  // a clip that bites every step, stronger decay
    [InlineData(1.0, 0.01, 1000L)] // the update in many chunks (the last one short) through a small scratch
    public void TenSteps_EqualTorchSharpAdamW_AfterClipGradNorm(double maxNorm, double weightDecay, long chunkElements = FusedAdamW.DefaultChunkElements)
    {
        using var reference = NewModel();
        using var fused = NewModel();
        var referenceParameters = reference.UniqueParameters();
        using var adamW = optim.AdamW(referenceParameters, 1e-3, 0.9, 0.95, 1e-8, weightDecay);
        using var flat = new FlatParameters(fused.UniqueParameters());
        using var optimizer = new FusedAdamW(flat, 0.9, 0.95, 1e-8, weightDecay, chunkElements);
        if (chunkElements < flat.Count) Assert.NotEqual(0, flat.Count % chunkElements); // several chunks, the last one short

        for (int step = 0; step < 10; step++)
        {
            double lr = 1e-3 * (1 + step % 3); // the schedule changes lr from step to step
            using var scope = NewDisposeScope();
            adamW.zero_grad();
            Loss(reference, step).backward();
            double expectedNorm = nn.utils.clip_grad_norm_(referenceParameters, maxNorm);
            foreach (var group in adamW.ParamGroups) group.LearningRate = lr;
            adamW.step();

            var loss = Loss(fused, step);
            loss.backward();
            double norm = optimizer.Step(lr, maxNorm, loss).item<float>();
            flat.ZeroGrad();

            Assert.True(Math.Abs(norm - expectedNorm) <= 1e-5 * expectedNorm, $"step {step}: norm {norm} vs {expectedNorm}");
        }
        foreach (var (a, b) in referenceParameters.Zip(fused.UniqueParameters()))
            Assert.True(Fixture.MaxAbsDiff(a, b) < 2e-6, $"weights differ by {Fixture.MaxAbsDiff(a, b)}");
    }

    [Fact]
    public void Parameters_AreViewsOfTheBuffer_AndGradientsAreGatheredOnlyForTheStep()
    {
        using var model = NewModel();
        var parameters = model.UniqueParameters();
        var before = parameters.Select(p => p.detach().clone()).ToList();
        using var flat = new FlatParameters(parameters);

        Assert.Equal(parameters.Sum(p => p.numel()), flat.Count);
        foreach (var (p, b) in parameters.Zip(before)) Assert.Equal(0f, Fixture.MaxAbsDiff(p, b)); // values kept
        using (no_grad()) flat.Data.add_(1.0);
        foreach (var (p, b) in parameters.Zip(before)) Assert.Equal(1f, (p - b).mean().item<float>(), 5);

        // no gradient memory until backward makes it; gathering moves it into the flat buffer and frees the parameters'
        Assert.Throws<InvalidOperationException>(() => flat.Grad);
        Loss(model, 0).backward();
        Loss(model, 0).backward();
        using var accumulated = parameters[0].grad!.clone(); // autograd summed the two backward passes
        using var once = flat.GatherGradients().clone();
        Assert.True(once.abs().sum().item<float>() > 0);
        Assert.All(parameters, p => Assert.Null(p.grad));
        Assert.Equal(0f, Fixture.MaxAbsDiff(accumulated, once.narrow(0, 0, parameters[0].numel()).view(parameters[0].shape)));

        // another backward before the step adds to what was gathered (accumulation across a gather)
        Loss(model, 0).backward();
        Assert.True(Fixture.MaxAbsDiff(flat.GatherGradients(), once * 1.5) < 1e-6);

        flat.ZeroGrad();
        Assert.Throws<InvalidOperationException>(() => flat.Grad);
        Assert.All(parameters, p => Assert.Null(p.grad));
    }

    [Fact]
    public void NonFiniteLoss_SkipsThatStep_AndEveryLaterOne()
    {
        using var model = NewModel();
        using var flat = new FlatParameters(model.UniqueParameters());
        using var optimizer = new FusedAdamW(flat);
        void Step(int i, bool poison)
        {
            using var scope = NewDisposeScope();
            var loss = Loss(model, i);
            if (poison) loss = loss * double.NaN;
            loss.backward();
            optimizer.Step(1e-3, 1.0, loss);
            flat.ZeroGrad();
        }
        Step(0, false);
        Step(1, false);
        Assert.False(optimizer.Halted);
        using var weights = flat.Data.clone();
        var moments = Path.Combine(dir, "moments.safetensors");
        optimizer.Save(moments);

        Step(2, poison: true);
        Step(3, poison: false); // a good step after a bad one is skipped too: the loop has not looked yet

        Assert.True(optimizer.Halted);
        Assert.Equal(0f, Fixture.MaxAbsDiff(flat.Data, weights));
        Assert.True(flat.Data.isfinite().all().item<bool>());
        var again = Path.Combine(dir, "again.safetensors");
        optimizer.Save(again);
        var a = TorchSharp.PyBridge.Safetensors.LoadStateDict(moments);
        var b = TorchSharp.PyBridge.Safetensors.LoadStateDict(again);
        Assert.Equal(0f, Fixture.MaxAbsDiff(a["exp_avg"], b["exp_avg"]));
        Assert.Equal(0f, Fixture.MaxAbsDiff(a["exp_avg_sq"], b["exp_avg_sq"]));
    }

    [Fact]
    public void SavedState_Continues_ExactlyAsTheUninterruptedOptimizer()
    {
        using var straight = NewModel();
        using var flatStraight = new FlatParameters(straight.UniqueParameters());
        using var optStraight = new FusedAdamW(flatStraight);
        using var resumed = NewModel();
        var path = Path.Combine(dir, "optimizer.safetensors");
        using (var flatFirst = new FlatParameters(resumed.UniqueParameters()))
        using (var first = new FusedAdamW(flatFirst))
        {
            for (int i = 0; i < 3; i++) Train(resumed, flatFirst, first, i);
            first.Save(path);
        }
        using var flat = new FlatParameters(resumed.UniqueParameters());
        using var optimizer = new FusedAdamW(flat);
        optimizer.Load(path);
        Assert.Equal(3, optimizer.Steps);

        for (int i = 0; i < 5; i++) Train(straight, flatStraight, optStraight, i);
        for (int i = 3; i < 5; i++) Train(resumed, flat, optimizer, i);

        Assert.Equal(0f, Fixture.MaxAbsDiff(flatStraight.Data, flat.Data));
    }

    [Fact]
    public void TorchSharpAdamWState_FromEarlierBuilds_Continues()
    {
        using var reference = NewModel();
        var parameters = reference.UniqueParameters();
        using var adamW = optim.AdamW(parameters, 1e-3, 0.9, 0.999, 1e-8, 0.01);
        void ReferenceStep(int i)
        {
            using var scope = NewDisposeScope();
            adamW.zero_grad();
            Loss(reference, i).backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            adamW.step();
        }
        for (int i = 0; i < 3; i++) ReferenceStep(i);
        var legacy = Path.Combine(dir, "optimizer.bin");
        adamW.save_state_dict(legacy);
        using var resumed = NewModel();
        using (no_grad())
            foreach (var (target, source) in resumed.UniqueParameters().Zip(parameters)) target.copy_(source);

        using var flat = new FlatParameters(resumed.UniqueParameters());
        using var optimizer = new FusedAdamW(flat);
        optimizer.LoadTorchSharpAdamW(legacy);
        for (int i = 3; i < 6; i++)
        {
            ReferenceStep(i);
            Train(resumed, flat, optimizer, i);
        }

        Assert.Equal(6, optimizer.Steps);
        foreach (var (a, b) in parameters.Zip(resumed.UniqueParameters()))
            Assert.True(Fixture.MaxAbsDiff(a, b) < 2e-6, $"weights differ by {Fixture.MaxAbsDiff(a, b)}");
    }

    [Fact]
    public void MomentsOfAnotherModelSize_AreRefusedWithAClearMessage()
    {
        using var model = NewModel();
        using var flat = new FlatParameters(model.UniqueParameters());
        using var optimizer = new FusedAdamW(flat);
        var path = Path.Combine(dir, "other.safetensors");
        using (var other = new MiniMindModel(Small with { Dim = 16, NHeads = 2, NKvHeads = 1 }))
        using (var otherFlat = new FlatParameters(other.UniqueParameters()))
        using (var otherOptimizer = new FusedAdamW(otherFlat))
            otherOptimizer.Save(path);

        var error = Assert.Throws<InvalidDataException>(() => optimizer.Load(path));
        Assert.Contains("different model setup", error.Message);
    }

    static void Train(MiniMindModel model, FlatParameters flat, FusedAdamW optimizer, int i)
    {
        using var scope = NewDisposeScope();
        var loss = Loss(model, i);
        loss.backward();
        optimizer.Step(1e-3, 1.0, loss);
        flat.ZeroGrad();
    }
}
