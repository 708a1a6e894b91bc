using MiniMind.Engine.Data;
using MiniMind.Engine.Tokenization;
using MiniMind.Engine.Training;

namespace MiniMind.Engine.Tests.Data;

/// <summary>
/// The current original's optional, random processing of SFT data (minimind-3's lm_dataset.py: system prompts mixed in,
/// empty think blocks dropped) as named options: off by default, and when on, fixed per seed and line so the cached tokens
/// and a resumed run see the same data.
/// </summary>
public sealed class ChatProcessingTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    static readonly ByteLevelBpeTokenizer Minimind3 = ByteLevelBpeTokenizer.Load(Fixture.Path("minimind3", "tokenizer"));

    static readonly IReadOnlyList<ChatMessage> Plain = [ChatMessage.User("Hi"), ChatMessage.Assistant("Hello!")];

    [Fact]
    public void ByDefault_NothingIsProcessed()
    {
        Assert.Null(new TrainingOptions().Processing);
        Assert.Null(new TrainingOptions { SystemPromptRatio = 0, EmptyThinkDropRatio = 0 }.Processing);
        Assert.Same(Plain, new ChatProcessing(0, 0, 1).Prepare(Plain, 1));
    }

    [Fact]
    public void SystemPrompts_AreMixedInAtTheRatio_OnlyWhereThereIsNoSystemTurnOrTools_AndTheSameEachTime()
    {
        var half = new ChatProcessing(0.5, 0, Seed: 7);
        var mixed = Enumerable.Range(1, 400).Where(line => half.Prepare(Plain, line).Count == 3).ToList();
        var again = Enumerable.Range(1, 400).Where(line => half.Prepare(Plain, line).Count == 3).ToList();
        var otherSeed = Enumerable.Range(1, 400).Where(line => (half with { Seed = 8 }).Prepare(Plain, line).Count == 3).ToList();
        var always = new ChatProcessing(1, 0, 7);
        IReadOnlyList<ChatMessage> withSystem = [ChatMessage.System("mine"), .. Plain];
        IReadOnlyList<ChatMessage> withTools = [new ChatMessage("system", "s", Tools: """[{"name": "f"}]"""), .. Plain];

        Assert.InRange(mixed.Count, 160, 240);
        Assert.Equal(mixed, again);
        Assert.NotEqual(mixed, otherSeed);
        Assert.All(Enumerable.Range(1, 50), line => Assert.Contains(always.Prepare(Plain, line)[0].Content, ChatProcessing.SystemPrompts));
        Assert.True(Enumerable.Range(1, 50).Select(line => always.Prepare(Plain, line)[0].Content).Distinct().Count() > 5);
        Assert.Same(withSystem, always.Prepare(withSystem, 3));
        Assert.Same(withTools, always.Prepare(withTools, 3)); // tool-use data is kept whole, as the original keeps it
    }

    [Fact]
    public void EmptyThinkBlocks_AreDroppedAtTheRatio_AsTheOriginalsPostProcessingDropsThem()
    {
        // the Jinja2 golden rendering of [user Hi, assistant Hello!]: minimind-3's template writes an empty think block
        var golden = Fixture.Json("minimind3", "chat_template.json").GetProperty("cases")[2].GetProperty("text").GetString()!;
        var drop = new ChatProcessing(0, 1, 1);

        Assert.Contains(ChatProcessing.EmptyThink, golden);
        Assert.Equal(golden.Replace(ChatProcessing.EmptyThink, ""), drop.Finish(golden, 1));
        var dropped = Enumerable.Range(1, 400).Count(line => new ChatProcessing(0, 0.8, 3).Finish(golden, line) != golden);
        Assert.InRange(dropped, 280, 360);
    }

    [Fact]
    public void ProcessedTokens_AreCachedApart_AndTheAnswerIsStillTrained()
    {
        var path = data.Write("sft.jsonl",
            """{"conversations": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}""",
            """{"conversations": [{"role": "user", "content": "Bye"}, {"role": "assistant", "content": "See you."}]}""");
        using var file = DatasetFile.Open(path);
        var processing = new ChatProcessing(1, 1, 1337);

        using var plain = TokenCache.Open(file, DatasetKind.Sft, Minimind3);
        using var processed = TokenCache.Open(file, DatasetKind.Sft, Minimind3, processing: processing);
        using var reopened = TokenCache.Open(file, DatasetKind.Sft, Minimind3, processing: processing);

        Assert.NotEqual(plain.BasePath, processed.BasePath);
        Assert.True(reopened.FromCache);
        var text = Decode(processed, 0);
        Assert.StartsWith("<|im_start|>system\n", text);
        Assert.DoesNotContain("<think>", text);
        Assert.Contains("<think>", Decode(plain, 0));
        var encoder = new ConversationEncoder(Minimind3);
        var ids = new int[processed.LengthOf(0)];
        processed.CopyTokens(processed.StartOf(0), ids);
        var (_, labels) = SftLabels.Build(ids, encoder.Markers, 128, Minimind3.PadId!.Value);
        Assert.Equal("Hello!<|im_end|>\n", Minimind3.Decode(labels.Where(l => l != SftLabels.Ignore)));
    }

    [Theory]
    [InlineData(-0.1, 0, "system_prompt_ratio")]
    [InlineData(1.5, 0, "system_prompt_ratio")]
    [InlineData(0, 2, "empty_think_drop_ratio")]
    public void RatiosOutsideZeroToOne_AreRefusedByName(double system, double think, string field) =>
        Assert.Contains(new TrainingOptions { Stage = TrainingStage.Sft, SystemPromptRatio = system, EmptyThinkDropRatio = think }.Problems(), p => p.Field == field);

    static string Decode(TokenCache cache, long entry)
    {
        var ids = new int[cache.LengthOf(entry)];
        cache.CopyTokens(cache.StartOf(entry), ids);
        return Minimind3.Decode(ids);
    }
}
