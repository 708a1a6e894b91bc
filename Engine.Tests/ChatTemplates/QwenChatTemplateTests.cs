using System.Text.Json;
using MiniMind.Engine.ChatTemplates;
using Xunit;

namespace MiniMind.Engine.Tests.ChatTemplates;
/// <summary>
/// Real Qwen2.5-Instruct and Qwen3 templates (tools, tool calls, tool responses, thinking blocks,
/// namespaces, reversed slices) against renders produced by Python jinja2 in transformers' environment
/// (Fixtures/qwen/generate_expected.py).
/// </summary>
public sealed class QwenChatTemplateTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var testCase in TemplateFixtures.Json("qwen", "cases.json").GetProperty("cases").EnumerateArray())
        {
            data.Add(testCase.GetProperty("template").GetString()!, testCase.GetProperty("case").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Renders_like_python_jinja2(string templateFile, string caseName)
    {
        var testCase = TemplateFixtures.Json("qwen", "cases.json").GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("template").GetString() == templateFile && c.GetProperty("case").GetString() == caseName);
        var template = ChatTemplate.Parse(TemplateFixtures.Text("qwen", templateFile));
        var tools = testCase.GetProperty("tools");

        var text = template.RenderChat(
            testCase.GetProperty("messages"),
            testCase.GetProperty("add_generation_prompt").GetBoolean(),
            bosToken: null,
            eosToken: "<|im_end|>",
            tools: tools.ValueKind == JsonValueKind.Null ? null : tools,
            extra: TemplateFixtures.Variables(testCase.GetProperty("extra")));

        Assert.Equal(testCase.GetProperty("text").GetString(), text);
    }

    [Fact]
    public void Qwen3_closes_an_empty_think_block_when_thinking_is_disabled()
    {
        var template = ChatTemplate.Parse(TemplateFixtures.Text("qwen", "qwen3.jinja"));
        var messages = new List<object?> { new Dictionary<string, object?> { ["role"] = "user", ["content"] = "Q" } };

        var off = template.RenderChat(messages, true, null, null, extra: new Dictionary<string, object?> { ["enable_thinking"] = false });
        var unset = template.RenderChat(messages, true, null, null);

        Assert.Equal("<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", off);
        Assert.Equal("<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n", unset);
    }

    [Fact]
    public void Qwen2_5_serialises_tool_call_arguments_with_python_json_spacing()
    {
        var template = ChatTemplate.Parse(TemplateFixtures.Text("qwen", "qwen2_5_instruct.jinja"));
        var messages = JsonDocument.Parse("""
            [{"role": "user", "content": "x"},
             {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f", "arguments": {"q": "é", "n": [1, 2.0]}}}]}]
            """).RootElement;

        var text = template.RenderChat(messages, false, null, null);

        Assert.EndsWith("<|im_start|>assistant\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"q\": \"é\", \"n\": [1, 2.0]}}\n</tool_call><|im_end|>\n", text);
    }
}
