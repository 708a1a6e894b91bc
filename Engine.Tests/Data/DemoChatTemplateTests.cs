using MiniMind.Engine.ChatTemplates;
using MiniMind.Engine.Data.Demo;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Data;

/// <summary>The demo template: MiniMind2's renderings unchanged without tools; tools, calls and results in a short form with them.</summary>
public sealed class DemoChatTemplateTests
{
    static Dictionary<string, object?> M(string role, string content, object? calls = null)
    {
        var m = new Dictionary<string, object?> { ["role"] = role, ["content"] = content };
        if (calls is not null) m["tool_calls"] = calls;
        return m;
    }

    [Fact]
    public void WithoutTools_ItRendersAsMiniMind2s()
    {
        var demo = ChatTemplate.Parse(DemoChatTemplate.Template);
        var original = ChatTemplate.Parse(MiniMindChatTemplate.Template);
        List<object?>[] conversations =
        [
            [M("user", "Hi")],
            [M("system", "Be brief."), M("user", "Hi"), M("assistant", "Hello!"), M("user", "Who are you?")],
            [M("user", "1+1?"), M("assistant", "2")],
        ];
        foreach (var c in conversations)
            foreach (var prompt in new[] { true, false })
                Assert.Equal(original.RenderChat(c, prompt, "<s>", "</s>"), demo.RenderChat(c, prompt, "<s>", "</s>"));
    }

    [Fact]
    public void WithTools_ItListsThem_AndRendersCallsAndResults()
    {
        var demo = ChatTemplate.Parse(DemoChatTemplate.Template);
        var tools = (List<object?>)ValueConversion.FromJsonText("""[{"type": "function", "function": {"name": "calculate", "description": "d", "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}}}}, {"type": "function", "function": {"name": "get_person", "parameters": {"type": "object", "properties": {"name": {}}}}}]""")!;
        var call = ValueConversion.FromJsonText("""[{"type": "function", "function": {"name": "calculate", "arguments": {"expression": "1 + 2"}}}]""");
        List<object?> messages = [M("system", "S"), M("user", "1+2?"), M("assistant", "", call), M("tool", "{\"result\": 3}"), M("assistant", "3")];

        var text = demo.RenderChat(messages, false, "<s>", "</s>", tools);

        Assert.Equal("<s>system\nS\n# Tools\n- calculate(expression)\n- get_person(name)</s>\n<s>user\n1+2?</s>\n<s>assistant\n"
                     + "<tool_call>{\"name\": \"calculate\", \"arguments\": {\"expression\": \"1 + 2\"}}</tool_call></s>\n"
                     + "<s>user\n<tool_response>{\"result\": 3}</tool_response></s>\n<s>assistant\n3</s>\n", text);
    }
}
