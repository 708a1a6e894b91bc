using MiniMind.Engine.Generation;

namespace MiniMind.Engine.Tests.Generation;

/// <summary>Rows of different lengths in one batch decode exactly as they would alone.</summary>
public sealed class BatchedGenerationTests
{
    [Fact]
    public void ReferencePrompt_InsideABatchOfDifferentLengths_GivesTheReferenceGreedyTokens()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        var prompt = io["greedy_prompt"].data<long>().ToArray();
        var expected = io["greedy_tokens"].data<long>().ToArray();
        var ids = io["input_ids"];
        IReadOnlyList<long>[] rows =
        [
            ids[0].narrow(0, 0, 13).data<long>().ToArray(), // longer than the reference prompt
            prompt,                                          // 8 tokens: left-padded by 5
            ids[1].narrow(0, 0, 3).data<long>().ToArray(),   // shorter
        ];

        var together = TokenGenerator.Generate(model, new GenerationRequest { Prompts = rows, MaxNewTokens = expected.Length });

        Assert.Equal(expected, together[1]);
    }

    [Fact]
    public void EveryRowOfAMixedLengthBatch_EqualsThatRowAlone()
    {
        using var model = Fixture.TinyDenseModel();
        var ids = Fixture.TinyDenseIo()["input_ids"];
        var rows = new[] { (0, 17), (1, 5), (0, 1), (1, 11) }
            .Select(x => (IReadOnlyList<long>)ids[x.Item1].narrow(0, 24 - x.Item2, x.Item2).data<long>().ToArray()).ToArray();

        var together = TokenGenerator.Generate(model, new GenerationRequest { Prompts = rows, MaxNewTokens = 20 });

        for (int r = 0; r < rows.Length; r++)
        {
            var alone = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [rows[r]], MaxNewTokens = 20 })[0];
            Assert.Equal(alone, together[r]);
        }
    }

    [Fact]
    public void Batch_StopsEachRowAtItsOwnEos_AndEndsWhenAllHaveStopped()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        var prompt = io["greedy_prompt"].data<long>().ToArray();
        var reference = io["greedy_tokens"].data<long>().ToArray();
        long eos = reference.First(t => t != reference[0]); // the first token that ends the opening repetition
        var other = io["input_ids"][1].narrow(0, 0, 5).data<long>().ToArray();
        var otherAlone = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [other], MaxNewTokens = 24, EosId = eos })[0];

        var together = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt, other], MaxNewTokens = 24, EosId = eos });

        Assert.Equal(reference.TakeWhile(t => t != eos).Append(eos), together[0]);
        Assert.Equal(otherAlone, together[1]);
    }

    [Fact]
    public void Session_CancelledBetweenTokens_StopsBeforeTheNextToken()
    {
        using var model = Fixture.TinyDenseModel();
        var prompt = Fixture.TinyDenseIo()["greedy_prompt"].data<long>().ToArray();
        using var cancel = new CancellationTokenSource();
        using var session = new DecodingSession(model, [prompt], 20, SamplingOptions.Greedy);

        Assert.True(session.TryStep(cancel.Token, out _));
        Assert.True(session.TryStep(cancel.Token, out _));
        cancel.Cancel();

        Assert.Throws<OperationCanceledException>(() => session.TryStep(cancel.Token, out _));
        Assert.Equal(2, session.Steps);
    }

    [Fact]
    public void Session_CapsNewTokens_AtTheContextLeftAfterTheLongestPrompt()
    {
        using var model = Fixture.TinyDenseModel(); // max_seq_len 128
        var ids = Fixture.TinyDenseIo()["input_ids"];
        var longRow = Enumerable.Repeat(ids[0].data<long>().ToArray(), 5).SelectMany(r => r).Take(120).ToArray();

        using var session = new DecodingSession(model, [longRow, [1L, 2L]], 50, SamplingOptions.Greedy);
        int steps = 0;
        while (session.TryStep(default, out _)) steps++;

        Assert.Equal(8, session.MaxNewTokens);
        Assert.Equal(8, steps);
    }

    [Fact]
    public void MixedPrecisionDecoding_KeepsTheCacheInTheComputeDtype_AndFollowsTheFp32Tokens()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        var prompt = io["greedy_prompt"].data<long>().ToArray();
        var other = io["input_ids"][1].narrow(0, 0, 5).data<long>().ToArray();
        var expected = io["greedy_tokens"].data<long>().ToArray();
        model.ComputeType = TorchSharp.torch.ScalarType.BFloat16; // as on a GPU

        var tokens = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt, other], MaxNewTokens = 8 });

        // bf16 rounding may flip a near tie later on; the opening tokens of the reference must hold
        Assert.Equal(expected.Take(4), tokens[0].Take(4));
        Assert.Equal(8, tokens[1].Count);
    }
}
