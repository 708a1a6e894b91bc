using Microsoft.Extensions.DependencyInjection;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Components;
using ChatMessage = MiniMind.Engine.Data.ChatMessage;
using ChatOptions = MiniMind.Engine.Chat.ChatOptions;

namespace MiniMind.Studio.Tests.Services;

/// <summary>The pages' chat: "max new tokens" is a cap on the answer, whatever the context.</summary>
public sealed class EngineChatBackendTests : StudioComponentTest
{
    [Fact]
    public async Task MaxNewTokensBeyondTheContext_AnswersAsLongAsTheContextAllows()
    {
        TorchSharp.torch.manual_seed(5); // a random model whose greedy answer does not end before the context does
        var checkpoint = CheckpointFiles.Tiny(Folders.OutDir, "chatty");
        var backend = Services.GetRequiredService<EngineChatBackend>();
        var request = new ChatRequest(checkpoint, null, [new ChatMessage("user", "Where does Alice live?")],
            new ChatOptions { MaxTokens = 100_000, Temperature = 0, Seed = 1 });

        var deltas = new List<MiniMind.Engine.Chat.ChatDelta>();
        await foreach (var d in backend.StreamAsync(request)) deltas.Add(d);

        var last = deltas[^1];
        Assert.Equal(MiniMind.Engine.Chat.ChatFinishReason.Length, last.FinishReason);
        Assert.Equal(256, last.Usage!.PromptTokens + last.Usage.CompletionTokens); // the tiny checkpoint's whole context
    }
}
