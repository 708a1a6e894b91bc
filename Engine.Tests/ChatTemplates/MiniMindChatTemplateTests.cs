using System.Text.Json;
using MiniMind.Engine.ChatTemplates;
using Xunit;

namespace MiniMind.Engine.Tests.ChatTemplates;
/// <summary>The MiniMind tokenizer's own chat template against transformers' golden renders.</summary>
public sealed class MiniMindChatTemplateTests
{
    static readonly ChatTemplate Template = ChatTemplate.Parse(
        TemplateFixtures.Json("minimind", "tokenizer_config.json").GetProperty("chat_template").GetString()!);

    public static TheoryData<int> CaseIndexes()
    {
        var data = new TheoryData<int>();
        var count = TemplateFixtures.Json("minimind", "chat_template.json").GetProperty("cases").GetArrayLength();
        for (var i = 0; i < count; i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public void Renders_exactly_what_transformers_rendered(int index)
    {
        var fixture = TemplateFixtures.Json("minimind", "chat_template.json");
        var testCase = fixture.GetProperty("cases")[index];

        var text = Template.RenderChat(
            testCase.GetProperty("messages"),
            testCase.GetProperty("add_generation_prompt").GetBoolean(),
            bosToken: fixture.GetProperty("bos").GetString(),
            eosToken: fixture.GetProperty("eos").GetString());

        Assert.Equal(testCase.GetProperty("text").GetString(), text);
    }

    [Fact]
    public void Falls_back_to_the_default_chinese_system_prompt_without_a_system_message()
    {
        var messages = new List<object?> { new Dictionary<string, object?> { ["role"] = "user", ["content"] = "hi" } };

        var text = Template.RenderChat(messages, addGenerationPrompt: true, "<s>", "</s>");

        Assert.Equal("<s>system\n你是 MiniMind，是一个有用的人工智能助手。</s>\n<s>user\nhi</s>\n<s>assistant\n", text);
    }

    [Fact]
    public void Accepts_messages_as_plain_dotnet_values_or_json_nodes()
    {
        var json = """[{"role": "system", "content": "S"}, {"role": "user", "content": "U"}, {"role": "assistant", "content": "A"}]""";
        var plain = new List<object?>
        {
            new Dictionary<string, object?> { ["role"] = "system", ["content"] = "S" },
            new Dictionary<string, object?> { ["role"] = "user", ["content"] = "U" },
            new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = "A" },
        };
        var node = System.Text.Json.Nodes.JsonNode.Parse(json);
        const string expected = "<s>system\nS</s>\n<s>user\nU</s>\n<s>assistant\nA</s>\n";

        Assert.Equal(expected, Template.RenderChat(plain, false, "<s>", "</s>"));
        Assert.Equal(expected, Template.RenderChat(JsonDocument.Parse(json).RootElement, false, "<s>", "</s>"));
        Assert.Equal(expected, Template.Render(new Dictionary<string, object?> { ["messages"] = node }));
    }
}
