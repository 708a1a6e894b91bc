using System.Text.Json;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Data;
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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Trimming_KeepsExactlyWhatDroppingOneTurnAtATimeWould(int seed)
    {
        var builder = new ChatPromptBuilder(Tokenizer);
        var random = new Random(seed);
        for (int trial = 0; trial < 20; trial++)
        {
            var messages = new List<ChatMessage>();
            if (random.Next(2) == 0) messages.Add(ChatMessage.System("Be brief."));
            int count = random.Next(1, 14);
            for (int i = 0; i < count; i++)
            {
                var text = string.Join(' ', Enumerable.Repeat($"word{i}", random.Next(0, 12)));
                // replies in a row and a reply first happen in real requests: trimming must skip them the same way
                messages.Add(random.Next(3) == 0 ? ChatMessage.Assistant(text) : ChatMessage.User(text));
            }
            int budget = random.Next(10, 120);

            var expected = OneTurnAtATime(builder, messages, budget);
            ChatPrompt? actual;
            try { actual = builder.Build(messages, budget); }
            catch (ChatRequestException) { actual = null; } // nothing fits: the rule above gives null too

            Assert.Equal(expected?.Text, actual?.Text);
            Assert.Equal(expected?.DroppedMessages, actual?.DroppedMessages);
        }
    }

    /// <summary>The rule stated simply: drop the oldest turn (and the replies it leaves in front) until the prompt fits.</summary>
    static ChatPrompt? OneTurnAtATime(ChatPromptBuilder builder, List<ChatMessage> messages, int budget)
    {
        var system = messages.Where(m => m.Role == "system").ToList();
        var turns = messages.Where(m => m.Role != "system").ToList();
        int dropped = 0;
        while (true)
        {
            var prompt = builder.Build([.. system, .. turns], 100_000);
            if (prompt.Ids.Count <= budget) return prompt with { DroppedMessages = dropped };
            if (turns.Count <= 1) return null;
            turns.RemoveAt(0);
            dropped++;
            while (turns.Count > 1 && turns[0].Role == "assistant") { turns.RemoveAt(0); dropped++; }
        }
    }

    [Fact]
    public void TenThousandMessages_KeepTheNewestThatFit_AndTheirCount()
    {
        var builder = new ChatPromptBuilder(Tokenizer);
        var messages = Enumerable.Range(0, 10_001)
            .Select(i => i % 2 == 0 ? ChatMessage.User($"question {i}") : ChatMessage.Assistant($"answer {i}")).ToList();

        var prompt = builder.Build(messages, 100);

        Assert.True(prompt.Ids.Count <= 100);
        Assert.EndsWith("<s>user\nquestion 10000</s>\n<s>assistant\n", prompt.Text);
        Assert.Contains("answer 9999", prompt.Text);
        Assert.Equal(10_001 - prompt.Text.Split("<s>user").Length - prompt.Text.Split("<s>assistant").Length + 3, prompt.DroppedMessages);
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
    [InlineData("robot")]
    [InlineData("function")]
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
