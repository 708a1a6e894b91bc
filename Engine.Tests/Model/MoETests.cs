using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Model;

public sealed class MoETests
{
    static MiniMindConfig Config(bool shared = true, bool seqAux = true, int topK = 2, bool normTopk = true) => new()
    {
        Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, VocabSize = 97, MaxSeqLen = 64,
        UseMoe = true, NRoutedExperts = 4, NumExpertsPerTok = topK, NSharedExperts = shared, SeqAux = seqAux, NormTopkProb = normTopk,
    };

    static MoEFeedForward Layer(MiniMindConfig config)
    {
        manual_seed(7);
        return new MoEFeedForward(config);
    }

    [Fact]
    public void Gate_RenormalisedTopKWeights_SumToOne()
    {
        using var layer = Layer(Config());
        var gate = (MoEGate)layer.named_children().First(c => c.name == "gate").module;
        manual_seed(1);
        var (experts, weights, _) = gate.Route(randn(3, 5, 32));

        Assert.Equal(new long[] { 15, 2 }, experts.shape);
        Assert.True((weights.sum(-1) - 1).abs().max().item<float>() < 1e-6);
        Assert.True((experts.select(1, 0) != experts.select(1, 1)).all().item<bool>());
    }

    [Theory]
    [InlineData(2, true, true)]
    [InlineData(2, false, true)]
    [InlineData(1, true, false)]
    [InlineData(3, false, false)]
    public void Forward_EqualsPerTokenSumOfPickedExpertsPlusShared(int topK, bool normTopk, bool shared)
    {
        // the grouped dispatch against the definition, one token at a time
        var config = Config(shared, topK: topK, normTopk: normTopk);
        using var layer = Layer(config);
        layer.eval();
        var children = layer.named_children().ToDictionary(c => c.name, c => c.module);
        var gate = (MoEGate)children["gate"];
        var experts = ((TorchSharp.Modules.ModuleList<FeedForward>)children["experts"]).ToList();
        manual_seed(2);
        var x = randn(2, 6, 32);
        using var _ = no_grad();

        var (y, _) = layer.Forward(x);

        var (picks, weights, _) = gate.Route(x);
        var tokens = x.reshape(-1, 32);
        for (int t = 0; t < tokens.shape[0]; t++)
        {
            var expected = zeros(32);
            for (int j = 0; j < topK; j++)
                expected += experts[(int)picks[t, j].item<long>()].forward(tokens[t].unsqueeze(0))[0] * weights[t, j];
            if (shared) expected += ((FeedForward)children["shared_experts"]).forward(tokens[t].unsqueeze(0))[0];
            Assert.True(Fixture.MaxAbsDiff(y.reshape(-1, 32)[t], expected) < 1e-5, $"token {t}");
        }
    }

    [Fact]
    public void SharedExpert_IsAddedForEveryToken()
    {
        var config = Config(shared: true);
        using var layer = Layer(config);
        var children = layer.named_children().ToDictionary(c => c.name, c => c.module);
        using (no_grad())
            foreach (var expert in (TorchSharp.Modules.ModuleList<FeedForward>)children["experts"])
                foreach (var p in expert.parameters()) p.zero_();
        manual_seed(3);
        var x = randn(2, 4, 32);
        using var _ = no_grad();

        var (y, _) = layer.Forward(x);

        Assert.True(Fixture.MaxAbsDiff(y, ((FeedForward)children["shared_experts"]).forward(x)) < 1e-6);
    }

    [Fact]
    public void AuxLoss_BothFormulas_MatchHandComputedValues()
    {
        // two sequences of two tokens, two experts, top-1
        var scores = tensor(new float[] { 0.7f, 0.3f, 0.4f, 0.6f, 0.2f, 0.8f, 0.1f, 0.9f }, [2, 2, 2]);
        var picks = tensor(new long[] { 0, 0, 1, 1 }, [2, 2, 1]);

        // seq_aux: seq 0 ce = [2, 0], mean scores [0.55, 0.45] -> 1.1; seq 1 ce = [0, 2], mean [0.15, 0.85] -> 1.7; mean 1.4
        Assert.Equal(1.4, MoEGate.AuxLoss(scores, picks, seqAux: true).item<float>(), 5);
        // global: picks split evenly -> fi = [1, 1]; Pi = [0.35, 0.65] -> 1.0
        Assert.Equal(1.0, MoEGate.AuxLoss(scores, picks, seqAux: false).item<float>(), 5);
    }

    [Fact]
    public void Model_TrainingAndInference_ComputeTheSameOutput()
    {
        manual_seed(4);
        using var model = new MiniMindModel(Config());
        var ids = randint(0, 97, [2, 10]);
        using var _ = no_grad();

        model.train();
        var (trainLogits, trainAux) = model.Forward(ids);
        model.eval();
        var (evalLogits, evalAux) = model.Forward(ids);

        Assert.True(Fixture.MaxAbsDiff(trainLogits, evalLogits) < 1e-6);
        Assert.True(trainAux!.item<float>() > 0);
        Assert.Null(evalAux); // no load-balancing term outside training
    }

    [Fact]
    public void AuxLoss_ReachesTheGateGradient()
    {
        manual_seed(5);
        using var model = new MiniMindModel(Config());
        model.train();
        var (_, aux) = model.Forward(randint(0, 97, [2, 10]));

        aux!.backward();

        var gateGrads = model.named_parameters().Where(p => p.name.EndsWith("feed_forward.gate.weight")).ToList();
        Assert.Equal(2, gateGrads.Count);
        Assert.All(gateGrads, p => Assert.True(p.parameter.grad!.abs().sum().item<float>() > 0, p.name));
    }

    [Fact]
    public void StateDict_UsesTheSeedsMoENames()
    {
        using var model = new MiniMindModel(Config());
        var keys = model.state_dict().Keys.ToHashSet();

        Assert.Contains("layers.0.feed_forward.experts.3.w1.weight", keys);
        Assert.Contains("layers.1.feed_forward.gate.weight", keys);
        Assert.Contains("layers.0.feed_forward.shared_experts.w2.weight", keys);
        Assert.Equal(new long[] { 4, 32 }, model.state_dict()["layers.1.feed_forward.gate.weight"].shape);
    }
}
