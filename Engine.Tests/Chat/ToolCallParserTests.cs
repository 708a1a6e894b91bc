using MiniMind.Engine.Chat;

namespace MiniMind.Engine.Tests.Chat;

/// <summary>Reading minimind-3's (Qwen's) <c>&lt;tool_call&gt;</c> blocks: calls of offered tools, and everything else kept as marked text.</summary>
public sealed class ToolCallParserTests
{
    static readonly string[] Offered = ["get_weather", "calculate"];

    [Fact]
    public void ValidBlocks_AreCalls_AndTheTextAroundStays()
    {
        var parsed = ToolCallParser.Parse("Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"上海\"}}\n</tool_call>\n<tool_call>{\"name\": \"calculate\", \"arguments\": \"{\\\"expression\\\": \\\"2+3\\\"}\"}</tool_call>", Offered);

        Assert.Equal("Let me check.", parsed.Text);
        Assert.Equal(["get_weather", "calculate"], parsed.Calls.Select(c => c.Name));
        Assert.Equal("{\"city\": \"上海\"}", parsed.Calls[0].Arguments);
        Assert.Equal("{\"expression\": \"2+3\"}", parsed.Calls[1].Arguments); // arguments written as a JSON string are read as the object
        Assert.All(parsed.Calls, c => Assert.Matches("^call_[0-9a-f]{24}$", c.Id));
        Assert.NotEqual(parsed.Calls[0].Id, parsed.Calls[1].Id);
        Assert.Empty(parsed.Problems);
    }

    [Theory]
    [InlineData("<tool_call>{\"name\": \"get_weather\", </tool_call>", "its body is not valid JSON")]
    [InlineData("<tool_call>[1, 2]</tool_call>", "its body is not a JSON object")]
    [InlineData("<tool_call>{\"arguments\": {}}</tool_call>", "it names no tool")]
    [InlineData("<tool_call>{\"name\": \"rm_rf\", \"arguments\": {}}</tool_call>", "it names \"rm_rf\", which is not an offered tool")]
    [InlineData("<tool_call>{\"name\": \"calculate\", \"arguments\": [1]}</tool_call>", "its arguments are not a JSON object")]
    [InlineData("<tool_call>{\"name\": \"calculate\", \"arguments\": \"{oops\"}</tool_call>", "its arguments are not valid JSON")]
    [InlineData("<tool_call>{\"name\": \"calculate\"", "a <tool_call> block is not closed")]
    public void AnythingElse_StaysAsTextBehindAMarkerSayingWhy(string content, string reason)
    {
        var parsed = ToolCallParser.Parse(content, Offered);

        Assert.Empty(parsed.Calls);
        Assert.StartsWith("[tool call not run: " + reason, parsed.Text);
        Assert.Contains("<tool_call>", parsed.Text);
        Assert.Single(parsed.Problems);
    }

    [Fact]
    public void TheStream_PassesTextAtOnce_AndHoldsFromTheTag()
    {
        var stream = new ToolCallStream(Offered);
        var shown = string.Concat(new[] { "It is ", "sunny <tool", "_call>{\"name\": \"get_weather\", \"arguments\": {}}", "</tool_call>" }.Select(stream.Feed));
        var end = stream.Finish();

        Assert.Equal("It is sunny ", shown);
        Assert.Equal("get_weather", Assert.Single(end.Calls).Name);
        Assert.Equal("", end.Text);

        var plain = new ToolCallStream(Offered);
        Assert.Equal("a ", plain.Feed("a <")); // "<" may start the tag: held
        Assert.Equal("<b", plain.Feed("b")); // it did not
        Assert.Equal("", plain.Finish().Text);
    }
}
