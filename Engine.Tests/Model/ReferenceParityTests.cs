using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MiniMind.Engine.Tests.Model;

/// <summary>The model against the original MiniMind2 code's outputs (Fixtures/reference/tiny-dense).</summary>
public sealed class ReferenceParityTests
{
    [Fact]
    public void StateDict_NamesAndShapes_MatchTheSeed()
    {
        using var model = new MiniMindModel(Fixture.TinyDenseConfig());
        var expected = Fixture.Json("tiny-dense", "golden.json").GetProperty("keys").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetInt64()).ToArray());
        var actual = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, shape) in expected)
            Assert.True(shape.SequenceEqual(actual[name]), $"{name}: expected [{string.Join(",", shape)}], got [{string.Join(",", actual[name])}]");
    }

    [Fact]
    public void Forward_Logits_MatchTheSeedWithin1e4()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        using var _ = no_grad();

        var (logits, _) = model.Forward(io["input_ids"]);

        Assert.Equal(new long[] { 2, 24, 6400 }, logits.shape);
        Assert.True(Fixture.MaxAbsDiff(logits, io["logits"]) <= 1e-4, $"max abs error {Fixture.MaxAbsDiff(logits, io["logits"])}");
    }

    [Fact]
    public void MaskedLoss_MatchesTheSeed()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        using var _ = no_grad();

        var ids = io["input_ids"];
        var (logits, _) = model.Forward(ids.narrow(1, 0, 23));
        var loss = MaskedCrossEntropy(logits, ids.narrow(1, 1, 23), io["loss_mask"]);

        Assert.Equal(io["masked_loss"].item<float>(), loss.item<float>(), 1e-4);
        Assert.Equal(Fixture.Json("tiny-dense", "golden.json").GetProperty("masked_loss").GetDouble(), loss.item<float>(), 1e-4);
    }

    [Fact]
    public void KvCacheSteps_EqualFullSequenceLogits()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        var ids = io["input_ids"];
        var expected = io["kv_step_logits"]; // (2, 9, 6400): last prefill position, then positions 16..23
        using var _ = no_grad();
        using var cache = new KVCache(model.Config, 2, 24, CPU, ScalarType.Float32);

        var steps = new List<Tensor> { model.Forward(ids.narrow(1, 0, 16), 0, cache, lastOnly: true).Logits };
        for (int p = 16; p < 24; p++)
            steps.Add(model.Forward(ids.narrow(1, p, 1), p, cache).Logits);
        var actual = cat(steps, 1);

        Assert.True(Fixture.MaxAbsDiff(actual, expected) <= 1e-4, $"max abs error {Fixture.MaxAbsDiff(actual, expected)}");
        Assert.True(Fixture.MaxAbsDiff(actual.narrow(1, 1, 8), io["logits"].narrow(1, 16, 8)) <= 1e-4);
    }

    [Fact]
    public void KvCache_PrefillAfterCachedPrefix_EqualsFullSequence()
    {
        // several new tokens after a cached prefix need the offset causal mask
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        var ids = io["input_ids"];
        using var _ = no_grad();
        using var cache = new KVCache(model.Config, 2, 24, CPU, ScalarType.Float32);

        model.Forward(ids.narrow(1, 0, 10), 0, cache);
        var (rest, _) = model.Forward(ids.narrow(1, 10, 14), 10, cache);

        Assert.True(Fixture.MaxAbsDiff(rest, io["logits"].narrow(1, 10, 14)) <= 1e-4);
    }

    internal static Tensor MaskedCrossEntropy(Tensor logits, Tensor targets, Tensor mask)
    {
        var perToken = F.cross_entropy(logits.reshape(-1, logits.shape[2]), targets.reshape(-1), reduction: nn.Reduction.None);
        var m = mask.reshape(-1).to(ScalarType.Float32);
        return (perToken * m).sum() / m.sum();
    }
}
