using Bunit;
using MiniMind.Studio.Components.Shared;

namespace MiniMind.Studio.Tests.Components;

public sealed class TokenViewTests : StudioComponentTest
{
    [Fact]
    public void ALongText_SaysHowManyTokensItHas_AndHowManyAreShown()
    {
        var text = string.Concat(Enumerable.Repeat("hello world ", 50));

        var cut = Render<TokenView>(p => p.Add(v => v.Text, text).Add(v => v.Limit, 5));

        Assert.Matches(@"^\d+ tokens \(the first 5 shown\)$", cut.Find(".token-count").TextContent.Trim());
        Assert.Equal(5, cut.FindAll(".token").Count);
        var all = Render<TokenView>(p => p.Add(v => v.Text, "hello"));
        Assert.Matches(@"^\d+ tokens$", all.Find(".token-count").TextContent.Trim());
    }

    [Fact]
    public void AConversation_IsShownAsTheChatTemplateRendersIt_TheAssistantTurnMarkedTrained_AndNewlinesAsSymbols()
    {
        var tokenizer = MiniMind.Engine.Tokenization.ByteLevelBpeTokenizer.Load(CheckpointFiles.DemoTokenizer);
        var messages = new[] { MiniMind.Engine.Data.ChatMessage.User("Where does Alice live?"), MiniMind.Engine.Data.ChatMessage.Assistant("In Mossford.") };
        var encoder = new MiniMind.Engine.Data.ConversationEncoder(tokenizer);

        var cut = Render<TokenView>(p => p.Add(v => v.Conversation, messages).Add(v => v.Tokenizer, CheckpointFiles.DemoTokenizer));

        var tokens = cut.FindAll(".token");
        Assert.Equal(encoder.Encode(messages).Length, tokens.Count); // the template's rendering, not the contents joined
        var trained = string.Concat(cut.FindAll(".token-trained").Select(t => t.FirstChild!.TextContent));
        Assert.StartsWith("In Mossford.", trained); // the answer and its turn end, nothing of the question
        Assert.DoesNotContain("Alice", trained);
        Assert.Contains("trained", cut.Find(".token-count").TextContent);
        Assert.Contains(tokens, t => t.FirstChild!.TextContent.Contains('↵'));
        Assert.DoesNotContain(tokens, t => t.FirstChild!.TextContent.Contains('\n'));
    }
}
