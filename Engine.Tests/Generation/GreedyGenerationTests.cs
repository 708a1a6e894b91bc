using MiniMind.Engine.Generation;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Generation;

public sealed class GreedyGenerationTests
{
    [Fact]
    public void Greedy_WithKvCache_EqualsReferenceTokens()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        var prompt = io["greedy_prompt"].data<long>().ToArray();
        var expected = io["greedy_tokens"].data<long>().ToArray();

        var tokens = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt], MaxNewTokens = expected.Length, Sampling = SamplingOptions.Greedy });

        Assert.Equal(expected, tokens[0]);
        var golden = Fixture.Json("tiny-dense", "golden.json").GetProperty("greedy").EnumerateArray().Select(e => e.GetInt64());
        Assert.Equal(golden, tokens[0]);
    }

    [Fact]
    public void Greedy_RowsInOneBatch_EqualEachRowAlone()
    {
        using var model = Fixture.TinyDenseModel();
        var ids = Fixture.TinyDenseIo()["input_ids"];
        var rows = Enumerable.Range(0, 2).Select(r => (IReadOnlyList<long>)ids[r].narrow(0, 0, 8).data<long>().ToArray()).ToArray();

        var together = TokenGenerator.Generate(model, new GenerationRequest { Prompts = rows, MaxNewTokens = 12 });
        var alone = rows.Select(r => TokenGenerator.Generate(model, new GenerationRequest { Prompts = [r], MaxNewTokens = 12 })[0]).ToArray();

        Assert.Equal(alone[0], together[0]);
        Assert.Equal(alone[1], together[1]);
    }

    [Fact]
    public void Generation_StopsAtEos_UnlessIgnored()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        var prompt = io["greedy_prompt"].data<long>().ToArray();
        var reference = io["greedy_tokens"].data<long>().ToArray();
        long eos = reference[5]; // pretend the sixth greedy token is the end of sequence

        var stopped = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt], MaxNewTokens = 24, EosId = eos });
        var ignored = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt], MaxNewTokens = 24, EosId = eos, IgnoreEos = true });

        Assert.Equal(reference.TakeWhile(t => t != eos).Append(eos), stopped[0]);
        Assert.Equal(reference, ignored[0]);
    }

    [Fact]
    public void Sampling_WithSeed_Repeats_AndTopK1IsGreedy()
    {
        using var model = Fixture.TinyDenseModel();
        var prompt = Fixture.TinyDenseIo()["greedy_prompt"].data<long>().ToArray();
        var sampled = new SamplingOptions { Temperature = 1.0, TopP = 0.9, Seed = 42 };

        var a = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt], MaxNewTokens = 16, Sampling = sampled });
        var b = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt], MaxNewTokens = 16, Sampling = sampled });
        var topK1 = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt], MaxNewTokens = 16, Sampling = sampled with { TopK = 1 } });
        var greedy = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt], MaxNewTokens = 16 });

        Assert.Equal(a[0], b[0]);
        Assert.Equal(greedy[0], topK1[0]);
    }
}
