using Bunit;
using MiniMind.Studio.Components.Shared;

namespace MiniMind.Studio.Tests.Components;

/// <summary>A reasoning answer shows as reasoning and answer; one whose think block never closed says so.</summary>
public sealed class ChatBubbleTests : StudioComponentTest
{
    IRenderedComponent<ChatBubble> Bubble(string content, string reasoning, string? finish) => Render<ChatBubble>(p => p
        .Add(b => b.Role, "assistant").Add(b => b.Content, content).Add(b => b.Reasoning, reasoning).Add(b => b.Finish, finish));

    [Fact]
    public void AFinishedAnswerThatIsAllReasoning_SaysTheThinkingNeverEnded_AndShowsIt()
    {
        var cut = Bubble("", "Alice lives in Mossford, so", "length");

        Assert.Contains("stopped while still thinking", cut.Find(".chat-unfinished-thinking").TextContent);
        Assert.True(cut.Find("details.chat-reasoning").HasAttribute("open"));
        Assert.Contains("Alice lives in Mossford, so", cut.Find(".chat-reasoning-text").TextContent);
    }

    [Fact]
    public void AnAnswerAfterItsReasoning_OrOneStillStreaming_HasNoSuchNote()
    {
        Assert.Empty(Bubble("Mossford.", "she lives there", "stop").FindAll(".chat-unfinished-thinking"));
        Assert.Empty(Bubble("", "still thinking", null).FindAll(".chat-unfinished-thinking"));
    }
}
