using MiniMind.Engine.Model;
using MiniMind.Engine.Training.Objectives;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

/// <summary>The output head and cross-entropy fused and chunked: the same loss and gradients as the full logits, whatever the chunking.</summary>
public sealed class ChunkedHeadLossTests
{
    static readonly MiniMindConfig Config = new() { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, VocabSize = 96, MaxSeqLen = 32 };

    static MiniMindModel NewModel()
    {
        manual_seed(11);
        return new MiniMindModel(Config);
    }

    /// <summary>Ids, targets and a mask with some masked positions and uneven weights (reasoning-style up-weighting).</summary>
    static (Tensor Ids, Tensor Targets, Tensor Weights) Batch()
    {
        var g = new Generator(5);
        var ids = randint(0, Config.VocabSize, [3, 17], generator: g);
        var targets = randint(0, Config.VocabSize, [3, 17], generator: g);
        var mask = (rand([3, 17], generator: g) > 0.2).to(ScalarType.Float32);
        var weights = mask * (1 + 9 * (rand([3, 17], generator: g) > 0.8).to(ScalarType.Float32));
        return (ids, targets, weights / mask.sum());
    }

    /// <summary>Loss and the gradient of every parameter, through the full logits or through the chunked head.</summary>
    static (float Loss, Tensor[] Grads) LossAndGrads(MiniMindModel model, bool chunked, long chunkElements = ChunkedHeadLoss.DefaultChunkElements, double scale = 1)
    {
        var (ids, targets, weights) = Batch();
        foreach (var p in model.UniqueParameters()) p.grad = null;
        Tensor loss;
        using var head = new ChunkedHeadLoss(chunkElements);
        if (chunked)
        {
            var (hidden, _) = model.ForwardHidden(ids);
            loss = head.WeightedSum(model, hidden, targets, weights);
        }
        else
        {
            var (logits, _) = model.Forward(ids);
            loss = (TokenLoss.PerTokenCrossEntropy(logits, targets) * weights).sum();
        }
        (loss * scale).backward();
        return (loss.item<float>(), model.UniqueParameters().Select(p => p.grad!.to(ScalarType.Float32).clone()).ToArray());
    }

    static double MaxRelativeError(Tensor[] actual, Tensor[] expected) =>
        actual.Zip(expected).Max(pair => (pair.First - pair.Second).abs().max().item<float>() / Math.Max(1e-6, pair.Second.abs().max().item<float>()));

    [Theory]
    [InlineData(ChunkedHeadLoss.DefaultChunkElements)] // one chunk
    [InlineData(96L * 7)]                               // 7 rows a chunk: 8 chunks, the last one short
    [InlineData(1L)]                                    // one row a chunk
    public void LossAndGradients_EqualTheFullLogits_AtAnyChunking(long chunkElements)
    {
        using var model = NewModel();
        model.train();
        var (fullLoss, fullGrads) = LossAndGrads(model, chunked: false);
        var (loss, grads) = LossAndGrads(model, chunked: true, chunkElements);

        Assert.True(Math.Abs(loss - fullLoss) <= 1e-5 * Math.Abs(fullLoss), $"loss {loss} vs {fullLoss}");
        Assert.Equal(fullGrads.Length, grads.Length);
        Assert.True(MaxRelativeError(grads, fullGrads) < 1e-4, $"largest gradient error {MaxRelativeError(grads, fullGrads)}");
    }

    [Fact]
    public void IncomingGradient_ScalesTheSavedGradients()
    {
        using var model = NewModel();
        model.train();
        var (_, fullGrads) = LossAndGrads(model, chunked: false, scale: 0.25);
        var (_, grads) = LossAndGrads(model, chunked: true, 96L * 5, scale: 0.25);

        Assert.True(MaxRelativeError(grads, fullGrads) < 1e-4, $"largest gradient error {MaxRelativeError(grads, fullGrads)}");
    }

    [Fact]
    public void Bf16Projections_StayWithinBf16RoundingOfTheFullLogits()
    {
        using var model = NewModel();
        model.ComputeType = ScalarType.BFloat16;
        model.train();
        var (fullLoss, fullGrads) = LossAndGrads(model, chunked: false);
        var (loss, grads) = LossAndGrads(model, chunked: true, 96L * 7);

        // the chunks round their bf16 logits apart from the whole product: the loss is known to one bf16 rounding of its size,
        // each gradient to two (the logits' gradient, then the bf16 product that carries it back)
        Assert.True(Math.Abs(loss - fullLoss) <= Tolerance.Bf16 * Math.Abs(fullLoss), $"loss {loss} vs {fullLoss}");
        Assert.True(MaxRelativeError(grads, fullGrads) <= 2 * Tolerance.Bf16, $"largest gradient error {MaxRelativeError(grads, fullGrads)}");
    }

    [Fact]
    public void WithoutGradients_GivesTheLossAndBuildsNoGraph()
    {
        using var model = NewModel();
        var (ids, targets, weights) = Batch();
        var (logits, _) = model.Forward(ids);
        var expected = (TokenLoss.PerTokenCrossEntropy(logits, targets) * weights).sum().item<float>();
        using var head = new ChunkedHeadLoss(96L * 4);
        using var _ = no_grad();

        var (hidden, _) = model.ForwardHidden(ids);
        var loss = head.WeightedSum(model, hidden, targets, weights);

        Assert.False(loss.requires_grad);
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void HeadWithAnUnmergedAdapter_TakesThePlainPath_AndStillLearnsTheAdapter()
    {
        using var model = NewModel();
        var adapter = model.OutputHead.AttachAdapter(rank: 4, alpha: 8, dropout: 0);
        using (no_grad()) adapter.parameters().Last().normal_(0, 0.1); // B starts at zero: give the adapter an effect
        model.train();
        var (ids, targets, weights) = Batch();
        var (logits, _) = model.Forward(ids);
        var expected = (TokenLoss.PerTokenCrossEntropy(logits, targets) * weights).sum().item<float>();
        using var head = new ChunkedHeadLoss();

        var (hidden, _) = model.ForwardHidden(ids);
        var loss = head.WeightedSum(model, hidden, targets, weights);
        loss.backward();

        Assert.Equal(expected, loss.item<float>(), 5);
        Assert.All(adapter.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void CrossEntropyObjective_ChunkedAndFull_GiveTheSameLossAndGradients()
    {
        using var model = NewModel();
        model.train();
        var (ids, targets, weights) = Batch();
        var mask = (weights > 0).to(ScalarType.Float32);
        (float, Tensor[]) Run(CrossEntropyObjective objective)
        {
            foreach (var p in model.UniqueParameters()) p.grad = null;
            var loss = objective.Compute(model, new BatchTensors(ids, targets, mask)).Loss;
            loss.backward();
            objective.AfterBackward();
            return (loss.item<float>(), model.UniqueParameters().Select(p => p.grad!.clone()).ToArray());
        }
        using var chunked = new CrossEntropyObjective("pretrain");
        using var full = new CrossEntropyObjective("pretrain") { ChunkedHead = false };

        var (a, gradsA) = Run(chunked);
        var (b, gradsB) = Run(full);

        Assert.Equal(b, a, 5);
        Assert.True(MaxRelativeError(gradsA, gradsB) < 1e-4, $"largest gradient error {MaxRelativeError(gradsA, gradsB)}");
    }

    [Fact]
    public void ReasoningObjective_ChunkedAndFull_GiveTheSameLoss()
    {
        using var model = NewModel();
        var (ids, targets, weights) = Batch();
        var mask = (weights > 0).to(ScalarType.Float32);
        var tags = targets[0, ..3].data<long>().ToArray(); // some targets count as tag tokens, weighted 10
        using var chunked = new ReasoningObjective(tags, 10);
        using var full = new ReasoningObjective(tags, 10) { ChunkedHead = false };

        var a = chunked.Compute(model, new BatchTensors(ids, targets, mask)).Loss.item<float>();
        var b = full.Compute(model, new BatchTensors(ids, targets, mask)).Loss.item<float>();

        Assert.Equal(b, a, 5);
    }

    [Fact]
    public void AFailureInsideBackward_IsThrownOnTheTrainingThread_NotInsideAutograd()
    {
        using var model = NewModel();
        model.train();
        var (ids, targets, weights) = Batch();
        using var head = new ChunkedHeadLoss();
        var (hidden, _) = model.ForwardHidden(ids);
        var loss = head.WeightedSum(model, hidden, targets, weights);
        loss.backward(retain_graph: true);
        head.AfterBackward();

        loss.backward(); // the saved gradients were scaled in place: reading them again fails inside autograd's callback

        var fault = Assert.Throws<InvalidOperationException>(head.AfterBackward);
        Assert.Contains("chunked head", fault.Message);
        head.AfterBackward(); // thrown once
    }

    [Fact]
    public void WeightsThatRequireAGradient_AreRefused()
    {
        using var model = NewModel();
        var (ids, targets, weights) = Batch();
        using var head = new ChunkedHeadLoss();
        var (hidden, _) = model.ForwardHidden(ids);

        Assert.Throws<ArgumentException>(() => head.WeightedSum(model, hidden, targets, weights.requires_grad_(true)));
    }
}
