using System.Text.Json;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Chat;

/// <summary>Messages become the reference chat-template prompt; long histories lose their oldest turns.</summary>
public sealed class ChatPromptBuilderTests
{
    static readonly ByteLevelBpeTokenizer Tokenizer = ByteLevelBpeTokenizer.Load(Fixture.Path("seed-tokenizer"));

    [Fact]
    public void Prompt_EqualsTheReferenceTemplateTextAndIds()
    {
        var builder = new ChatPromptBuilder(Tokenizer);
        var cases = Fixture.Json("seed-tokenizer", "chat_template.json").GetProperty("cases").EnumerateArray()
            .Where(c => c.GetProperty("add_generation_prompt").GetBoolean()).ToList();
        Assert.NotEmpty(cases);

        foreach (var c in cases)
        {
            var messages = c.GetProperty("messages").EnumerateArray()
                .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();
            var prompt = builder.Build(messages, 10_000);

            Assert.Equal(c.GetProperty("text").GetString(), prompt.Text);
            Assert.Equal(c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt64()), prompt.Ids);
            Assert.Equal(0, prompt.DroppedMessages);
        }
    }

    [Fact]
    public void LongHistory_DropsTheOldestTurns_KeepingTheSystemMessageAndTheLastQuestion()
    {
        var builder = new ChatPromptBuilder(Tokenizer);
        var messages = new List<ChatMessage> { ChatMessage.System("Be brief.") };
        for (int i = 0; i < 10; i++)
        {
            messages.Add(ChatMessage.User($"Question number {i} about the weather in spring?"));
            messages.Add(ChatMessage.Assistant($"Answer number {i}: it is mild and rainy."));
        }
        messages.Add(ChatMessage.User("Last question?"));

        var prompt = builder.Build(messages, 80);

        Assert.True(prompt.Ids.Count <= 80, $"{prompt.Ids.Count} tokens");
        Assert.StartsWith("<s>system\nBe brief.</s>\n", prompt.Text);
        Assert.EndsWith("<s>user\nLast question?</s>\n<s>assistant\n", prompt.Text);
        Assert.DoesNotContain("Question number 0 ", prompt.Text);
        Assert.True(prompt.DroppedMessages > 0);
        // whole turns go: what is left opens with a user message right after the system message
        Assert.StartsWith("<s>system\nBe brief.</s>\n<s>user\n", prompt.Text);
        // and the most recent turns are the ones kept
        Assert.Contains("Answer number 9", prompt.Text);
    }

    [Fact]
    public void LastMessageAloneTooLong_IsAContextLengthError()
    {
        var builder = new ChatPromptBuilder(Tokenizer);
        var messages = new[] { ChatMessage.User(string.Join(" ", Enumerable.Repeat("words", 200))) };

        var e = Assert.Throws<ChatRequestException>(() => builder.Build(messages, 100));

        Assert.Equal("context_length_exceeded", e.Code);
        Assert.Equal("messages", e.Parameter);
    }

    [Theory]
    [InlineData("tool")]
    [InlineData("robot")]
    public void UnknownRole_IsRejectedNamingTheMessage(string role)
    {
        var builder = new ChatPromptBuilder(Tokenizer);

        var e = Assert.Throws<ChatRequestException>(() => builder.Build([ChatMessage.User("hi"), new ChatMessage(role, "x")], 100));

        Assert.Equal("messages[1].role", e.Parameter);
    }

    [Fact]
    public void NoMessages_IsRejected()
    {
        var e = Assert.Throws<ChatRequestException>(() => new ChatPromptBuilder(Tokenizer).Build([], 100));

        Assert.Equal("messages", e.Parameter);
    }
}
