using System.Text.Json;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Chat.Tools;
using MiniMind.Engine.Data.Demo;

namespace MiniMind.Engine.Tests.Chat;

/// <summary>The studio's built-in tools (a calculator, the demo world's people) and the bounds every tool call runs within.</summary>
public sealed class ChatToolTests
{
    static JsonElement Args(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("1234 + 5678", 6912)]
    [InlineData("2 + 3 * 4", 14)]
    [InlineData("(2 + 3) * 4", 20)]
    [InlineData("2 ^ 3 ^ 2", 512)]
    [InlineData("-3 + 10 % 4", -1)]
    [InlineData("7 / 2", 3.5)]
    [InlineData("1,250 × 2", 2500)]
    public void TheCalculator_ReadsArithmetic(string expression, double expected) =>
        Assert.Equal(expected, CalculatorTool.Evaluate(expression), 9);

    [Theory]
    [InlineData("2 +", "ends where a number should be")]
    [InlineData("(1 + 2", "not closed")]
    [InlineData("1 / 0", "not a finite number")]
    [InlineData("import os", "expected a number")]
    [InlineData("1 + 2)", "unexpected \")\"")]
    [InlineData("3,5 + 1", "commas only separate thousands")]
    public void TheCalculator_SaysWhatItCannotRead(string expression, string message) =>
        Assert.Contains(message, Assert.Throws<ToolException>(() => CalculatorTool.Evaluate(expression)).Message);

    [Fact]
    public async Task ThePeopleTool_FindsAPersonByFullFirstOrChineseName()
    {
        var alice = DemoWorld.People.First(p => p.Name.En.StartsWith("Alice", StringComparison.Ordinal));
        var tool = new DemoPeopleTool();

        var byFull = JsonDocument.Parse(await tool.InvokeAsync(Args($$"""{"name": "{{alice.Name.En}}"}"""), default)).RootElement;
        var byChinese = JsonDocument.Parse(await tool.InvokeAsync(Args($$"""{"name": "{{alice.Name.Zh}}"}"""), default)).RootElement;

        Assert.Equal(alice.Town.Name.En, byFull.GetProperty("town").GetString());
        Assert.Equal(alice.Name.En, byChinese.GetProperty("name").GetString());
        Assert.Contains("nobody called", Assert.Throws<ToolException>(() => tool.InvokeAsync(Args("""{"name": "Nobody Atall"}"""), default).GetAwaiter().GetResult()).Message);
        Assert.Contains("\"name\"", Assert.Throws<ToolException>(() => tool.InvokeAsync(Args("{}"), default).GetAwaiter().GetResult()).Message);
    }

    sealed class Hanging : IChatTool
    {
        public string Name => "hang";
        public string Description => "never answers";
        public string Parameters => """{"type": "object"}""";
        public Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
        {
            Thread.Sleep(5000); // ignores the token: the runner must still return long before
            return Task.FromResult("");
        }
    }

    sealed class Throwing : IChatTool
    {
        public string Name => "boom";
        public string Description => "throws";
        public string Parameters => """{"type": "object"}""";
        public Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken) => throw new InvalidOperationException("disk on fire");
    }

    sealed class Verbose : IChatTool
    {
        public string Name => "verbose";
        public string Description => "answers at length";
        public string Parameters => """{"type": "object"}""";
        public Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken) => Task.FromResult(new string('x', 3_000_000));
    }

    [Fact]
    public async Task ACallThatHangsThrowsOrFloods_IsBounded_AndTheModelIsToldWhy()
    {
        IChatTool[] tools = [new Hanging(), new Throwing(), new Verbose(), new CalculatorTool()];

        var hung = await ToolRunner.RunAsync(tools, new ToolCall("call_1", "hang", "{}"), default, timeout: TimeSpan.FromMilliseconds(200));
        var thrown = await ToolRunner.RunAsync(tools, new ToolCall("call_2", "boom", "{}"), default);
        var flood = await ToolRunner.RunAsync(tools, new ToolCall("call_3", "verbose", "{}"), default);
        var unknown = await ToolRunner.RunAsync(tools, new ToolCall("call_4", "nope", "{}"), default);
        var bad = await ToolRunner.RunAsync(tools, new ToolCall("call_5", "calculate", """{"expression": "2 +"}"""), default);
        var good = await ToolRunner.RunAsync(tools, new ToolCall("call_6", "calculate", """{"expression": "40 + 2"}"""), default);

        Assert.True(hung.Failed);
        Assert.Contains("gave no result within 0.2 s", hung.Content);
        Assert.True(thrown.Failed);
        Assert.Contains("boom failed: disk on fire", thrown.Content);
        Assert.False(flood.Failed);
        Assert.True(flood.Content.Length < ToolRunner.DefaultMaxResultChars + 100);
        Assert.EndsWith($"[... {3_000_000 - ToolRunner.DefaultMaxResultChars} more characters cut]", flood.Content);
        Assert.True(unknown.Failed);
        Assert.Contains("ends where a number should be", bad.Content);
        Assert.Equal("""{"result": 42}""", good.Content);
    }

    [Theory]
    [InlineData("""{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}""", null)]
    [InlineData("""{"type": "array"}""", "parameters.type")]
    [InlineData("""{"type": "object", "properties": {"a": 3}}""", "parameters.properties.a")]
    [InlineData("""{"type": "object", "required": ["b"]}""", "parameters.required")]
    [InlineData("""{"type": "object",""", "not valid JSON")]
    public void ADeclaredToolsSchema_IsCheckedByField(string schema, string? problem)
    {
        var found = ToolSchema.ParametersProblem(schema);
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found);
    }
}
