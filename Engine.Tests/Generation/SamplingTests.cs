using MiniMind.Engine.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Generation;

/// <summary>Temperature, seeds, top-k and the repetition penalty do what they promise.</summary>
public sealed class SamplingTests
{
    static List<long> Run(SamplingOptions sampling, int maxNew = 16)
    {
        using var model = Fixture.TinyDenseModel();
        var prompt = Fixture.TinyDenseIo()["greedy_prompt"].data<long>().ToArray();
        return TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt], MaxNewTokens = maxNew, Sampling = sampling })[0];
    }

    [Fact]
    public void TemperatureZero_IsDeterministic_AndIgnoresTheSeed()
    {
        var a = Run(new SamplingOptions { Temperature = 0, Seed = 1 });
        var b = Run(new SamplingOptions { Temperature = 0, Seed = 2 });

        Assert.Equal(a, b);
        Assert.Equal(Fixture.TinyDenseIo()["greedy_tokens"].data<long>().ToArray().Take(16), a);
    }

    [Fact]
    public void FixedSeed_RepeatsTheSample_AndAnotherSeedDoesNot()
    {
        var sampled = new SamplingOptions { Temperature = 1.5, TopP = 1.0, Seed = 7 };

        var first = Run(sampled, 24);
        var again = Run(sampled, 24);
        var other = Run(sampled with { Seed = 8 }, 24);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void TopK1_EqualsGreedy_AtAnyTemperature()
    {
        var greedy = Run(SamplingOptions.Greedy);

        var topK1 = Run(new SamplingOptions { Temperature = 2.0, TopP = 1.0, TopK = 1, Seed = 3 });

        Assert.Equal(greedy, topK1);
    }

    [Fact]
    public void TopP0_KeepsOnlyTheMostLikelyToken_AtAnyTemperature()
    {
        var greedy = Run(SamplingOptions.Greedy);

        var topP0 = Run(new SamplingOptions { Temperature = 2.0, TopP = 0, Seed = 3 });

        Assert.Equal(greedy, topP0);
    }

    [Fact]
    public void RepetitionPenalty_DividesPositiveAndMultipliesNegativeLogitsOfSeenTokensOnly()
    {
        using var sampler = new Sampler(new SamplingOptions { Temperature = 0, RepetitionPenalty = 2.0 }, CPU);
        // row 0: the seen token 0 (3.0 -> 1.5) falls below the unseen token 1 (2.0)
        // row 1: the seen token 0 (-1.0 -> -2.0) falls below the unseen token 1 (-1.5); unseen logits untouched
        using var logits = tensor(new float[] { 3.0f, 2.0f, -1.0f, -1.0f, -1.5f, -3.0f }, [2, 3]);
        using var seen = tensor(new[] { true, false, false, true, false, false }, [2, 3]);

        using var penalised = sampler.Next(logits, seen);
        using var plain = sampler.Next(logits, null);

        Assert.Equal(new long[] { 1, 1 }, penalised.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 0 }, plain.data<long>().ToArray());
    }

    [Fact]
    public void RepetitionPenalty_InGeneration_SteersAwayFromTokensAlreadyGenerated()
    {
        var plain = Run(SamplingOptions.Greedy, 24);
        var penalised = Run(SamplingOptions.Greedy with { RepetitionPenalty = 1e4 }, 24);
        var prompt = Fixture.TinyDenseIo()["greedy_prompt"].data<long>().ToArray();

        // the tiny random model repeats itself greedily; a huge penalty makes it repeat (far) less
        int Repeats(List<long> tokens) => tokens.Count - tokens.Distinct().Count();
        Assert.True(Repeats(plain) > 0, "the reference greedy output should repeat tokens");
        Assert.True(Repeats(penalised) < Repeats(plain), $"penalised {Repeats(penalised)} repeats, plain {Repeats(plain)}");
        Assert.NotEqual(plain, penalised);
        Assert.Empty(penalised.Take(3).Intersect(prompt)); // the first tokens avoid what the prompt already holds
    }
}
