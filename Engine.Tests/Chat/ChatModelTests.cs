using MiniMind.Engine.Chat;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data;
using MiniMind.Engine.Generation;

namespace MiniMind.Engine.Tests.Chat;

/// <summary>The chat service on the tiny-dense reference model with the seed tokenizer.</summary>
public sealed class ChatModelTests : IDisposable
{
    readonly ChatOutFolder folder = new();
    readonly ChatModel chat;
    static readonly ChatMessage[] Hello = [ChatMessage.User("你好，请介绍一下自己。")];

    public ChatModelTests() => chat = ChatModel.Load(folder.BasePath);

    public void Dispose()
    {
        chat.Dispose();
        folder.Dispose();
    }

    static readonly ChatOptions Greedy = new() { Temperature = 0, MaxTokens = 24 };

    [Fact]
    public async Task GreedyAnswer_IsTheDecodedGreedyTokensOfTheTemplatePrompt()
    {
        var prompt = chat.BuildPrompt(Hello, Greedy);
        using var model = Fixture.TinyDenseModel();
        var tokens = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [prompt.Ids], MaxNewTokens = 24, EosId = chat.Tokenizer.EosId })[0];
        var expected = chat.Tokenizer.Decode(tokens.Where(t => t != chat.Tokenizer.EosId).Select(t => (int)t), skipSpecialTokens: true);

        var completion = await chat.CompleteAsync(Hello, Greedy);

        Assert.Equal(expected, completion.Choices[0].Content);
        Assert.Equal(tokens.Count, completion.Usage.CompletionTokens);
        Assert.Equal(prompt.Ids.Count, completion.Usage.PromptTokens);
        Assert.Equal(tokens.Count == 24 && tokens[^1] != chat.Tokenizer.EosId ? ChatFinishReason.Length : ChatFinishReason.Stop, completion.Choices[0].FinishReason);
    }

    [Fact]
    public async Task StreamedDeltas_ConcatenateToTheCompletion_AndOnlyTheLastCarriesUsage()
    {
        var deltas = new List<ChatDelta>();
        await foreach (var d in chat.StreamAsync(Hello, Greedy)) deltas.Add(d);
        var completion = await chat.CompleteAsync(Hello, Greedy);

        Assert.Equal(completion.Choices[0].Content, string.Concat(deltas.Select(d => d.Content)));
        Assert.True(deltas.Count > 1, "the answer should arrive in several pieces");
        Assert.NotNull(deltas[^1].Usage);
        Assert.NotNull(deltas[^1].FinishReason);
        Assert.All(deltas.SkipLast(1), d => Assert.Null(d.Usage));
        Assert.DoesNotContain(deltas, d => d.Content.Contains('\uFFFD')); // no character split between deltas
    }

    [Fact]
    public async Task MaxTokens_EndsWithLength_AndCountsExactlyThatMany()
    {
        var completion = await chat.CompleteAsync(Hello, Greedy with { MaxTokens = 5 });

        Assert.Equal(ChatFinishReason.Length, completion.Choices[0].FinishReason);
        Assert.Equal(5, completion.Usage.CompletionTokens);
    }

    [Fact]
    public async Task StopString_CutsTheAnswerBeforeIt()
    {
        var full = (await chat.CompleteAsync(Hello, Greedy)).Choices[0].Content;
        Assert.True(full.Length >= 6, $"the greedy answer '{full}' is too short to cut");
        var stop = full.Substring(3, 2);

        var cut = await chat.CompleteAsync(Hello, Greedy with { Stop = [stop] });

        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], cut.Choices[0].Content);
        Assert.Equal(ChatFinishReason.Stop, cut.Choices[0].FinishReason);
    }

    [Fact]
    public async Task SeveralChoices_AreSampledApartInOneBatch_AndASeedRepeatsThem()
    {
        var options = new ChatOptions { Temperature = 1.5, TopP = 1, MaxTokens = 12, N = 3, Seed = 5 };

        var first = await chat.CompleteAsync(Hello, options);
        var again = await chat.CompleteAsync(Hello, options);

        Assert.Equal([0, 1, 2], first.Choices.Select(c => c.Index));
        Assert.Equal(first.Choices.Select(c => c.Content), again.Choices.Select(c => c.Content));
        Assert.True(first.Choices.Select(c => c.Content).Distinct().Count() > 1, "three sampled choices should not all agree");
        Assert.True(first.Usage.CompletionTokens <= 3 * 12);
        Assert.Equal(chat.BuildPrompt(Hello, options).Ids.Count, first.Usage.PromptTokens); // the prompt counted once
    }

    [Fact]
    public async Task Cancelling_StopsTheStream_AndTheModelServesTheNextRequest()
    {
        using var cancel = new CancellationTokenSource();
        int seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in chat.StreamAsync(Hello, Greedy with { MaxTokens = 80 }, cancel.Token))
                if (++seen == 2) cancel.Cancel();
        });

        Assert.Equal(2, seen);
        var next = await chat.CompleteAsync(Hello, Greedy with { MaxTokens = 3 });
        Assert.Equal(3, next.Usage.CompletionTokens);
    }

    [Fact]
    public async Task ConcurrentRequests_EachGetTheirOwnAnswer()
    {
        var a = chat.CompleteAsync(Hello, Greedy);
        var b = chat.CompleteAsync([ChatMessage.User("What is 1 + 1?")], Greedy);
        var aAlone = await chat.CompleteAsync(Hello, Greedy);
        var bAlone = await chat.CompleteAsync([ChatMessage.User("What is 1 + 1?")], Greedy);

        Assert.Equal(aAlone.Choices[0].Content, (await a).Choices[0].Content);
        Assert.Equal(bAlone.Choices[0].Content, (await b).Choices[0].Content);
    }

    [Fact]
    public void OutOfRangeOptions_AreRequestErrorsNamingTheField()
    {
        Assert.Equal("temperature", Assert.Throws<ChatRequestException>(() => chat.BuildPrompt(Hello, new ChatOptions { Temperature = 2.5 })).Parameter);
        Assert.Equal("top_p", Assert.Throws<ChatRequestException>(() => chat.BuildPrompt(Hello, new ChatOptions { TopP = 1.5 })).Parameter);
        Assert.Equal("max_tokens", Assert.Throws<ChatRequestException>(() => chat.BuildPrompt(Hello, new ChatOptions { MaxTokens = 128 })).Parameter);
        Assert.Equal("n", Assert.Throws<ChatRequestException>(() => chat.BuildPrompt(Hello, new ChatOptions { N = 0 })).Parameter);
    }

    [Fact]
    public async Task LoRAAdapter_IsAppliedAtLoad_ChangingTheAnswer()
    {
        using var adapted = ChatModel.Load(folder.BasePath, folder.AdapterPath);

        var baseAnswer = await chat.CompleteAsync(Hello, Greedy);
        var adaptedAnswer = await adapted.CompleteAsync(Hello, Greedy);

        Assert.NotEqual(baseAnswer.Choices[0].Content, adaptedAnswer.Choices[0].Content);
        Assert.Equal("identity", adapted.Name);
    }

    [Fact]
    public void SidecarTokenizerRelativeToTheRoot_IsFound_FromAnyWorkingDirectory()
    {
        var relative = Path.Combine(folder.Dir, "relative.safetensors");
        File.Copy(folder.BasePath, relative);
        var root = Path.GetDirectoryName(Fixture.Path("seed-tokenizer"))!;
        ModelCheckpoint.WriteSidecar(relative, ModelCheckpoint.ReadInfo(folder.BasePath)! with { Tokenizer = "seed-tokenizer" });

        using var loaded = ChatModel.Load(relative, options: new ChatModelOptions { Root = root });

        Assert.Equal(Fixture.Path("seed-tokenizer"), loaded.TokenizerPath);
        Assert.ThrowsAny<IOException>(() => ChatModel.Load(relative)); // without the root: the working directory, which has none
    }

    [Fact]
    public async Task DisposeDuringAStream_WaitsForItsEnd()
    {
        var loaded = ChatModel.Load(folder.BasePath);
        var pieces = new List<string>();

        await foreach (var d in loaded.StreamAsync(Hello, Greedy))
        {
            if (pieces.Count == 0) loaded.Dispose(); // evicted while answering
            pieces.Add(d.Content);
        }

        Assert.True(pieces.Count > 1);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => loaded.CompleteAsync(Hello, Greedy));
    }
}
