using System.Text;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Chat;

/// <summary>One choice's ids become text pieces that never split a character, a stop string or a tag.</summary>
public sealed class ChoiceStreamTests
{
    static readonly ByteLevelBpeTokenizer Tokenizer = ByteLevelBpeTokenizer.Load(Fixture.Path("seed-tokenizer"));

    /// <summary>The single-byte tokens spelling <paramref name="text"/> byte by byte (the worst case for streaming).</summary>
    static IEnumerable<long> ByteTokens(string text) =>
        Encoding.UTF8.GetBytes(text).Select(b => (long)Tokenizer.TokenToId(ByteLevelAlphabet.ToChar(b).ToString())!.Value);

    [Fact]
    public void CharacterSpreadOverByteTokens_ComesOutWholeWithItsLastByte()
    {
        var choice = new ChoiceStream(Tokenizer, [], startsInReasoning: false);

        var pieces = ByteTokens("你好").Select(id => choice.Feed(id, eos: 2).Content).ToList();

        Assert.Equal(["", "", "你", "", "", "好"], pieces);
        Assert.Equal(6, choice.Tokens);
    }

    [Fact]
    public void Eos_EndsTheChoice_AndIsNotText()
    {
        var choice = new ChoiceStream(Tokenizer, [], startsInReasoning: false);
        foreach (var id in ByteTokens("ok")) choice.Feed(id, eos: 2);

        var (content, reasoning, done) = choice.Feed(2, eos: 2);

        Assert.True(done);
        Assert.Equal("", content + reasoning);
        Assert.Equal(3, choice.Tokens); // the end token was generated, so it counts
    }

    [Fact]
    public void StopStringInsideThinking_EndsTheChoiceWithTheReasoningSoFar()
    {
        var choice = new ChoiceStream(Tokenizer, ["##"], startsInReasoning: true);
        var reasoning = new StringBuilder();
        bool done = false;

        foreach (var id in ByteTokens("plan: a##b"))
        {
            var (_, r, d) = choice.Feed(id, eos: 2);
            reasoning.Append(r);
            if (done = d) break;
        }

        Assert.True(done);
        Assert.Equal("plan: a", reasoning.ToString());
    }
}
