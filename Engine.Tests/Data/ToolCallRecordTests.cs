using System.Text;
using MiniMind.Engine.Data;
using MiniMind.Engine.Tokenization;
using HfTokenizer = Tokenizers.DotNet.Tokenizer;

namespace MiniMind.Engine.Tests.Data;

/// <summary>
/// The current original's tool-use SFT records (minimind-3 data): a system turn offering tools (a JSON string or an
/// array), an assistant turn that calls a tool with empty content, the tool's result, the final answer. They validate,
/// render exactly as its SFTDataset renders them (Jinja2 golden), and get its labels: the assistant's calls trained,
/// the tool results not.
/// </summary>
public sealed class ToolCallRecordTests
{
    const string ToolsJson = """[{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city", "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "城市名"}}, "required": ["city"]}}}]""";

    static string Line(bool asStrings) => asStrings
        ? """{"conversations": [{"role": "system", "content": "你是助手。", "tools": "[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather of a city\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"description\": \"城市名\"}}, \"required\": [\"city\"]}}}]"}, {"role": "user", "content": "上海天气？"}, {"role": "assistant", "content": "", "tool_calls": "[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"上海\"}}]"}, {"role": "tool", "content": "{\"temp\": 18}"}, {"role": "assistant", "content": "上海18度。"}]}"""
        : $$$"""{"conversations": [{"role": "system", "content": "你是助手。", "tools": {{{ToolsJson}}}}, {"role": "user", "content": "上海天气？"}, {"role": "assistant", "content": null, "tool_calls": [{"name": "get_weather", "arguments": {"city": "上海"}}]}, {"role": "tool", "content": "{\"temp\": 18}"}, {"role": "assistant", "content": "上海18度。"}]}""";

    static ConversationRecord Parse(string line, out DataProblem? problem) =>
        (ConversationRecord)RecordParser.Parse(Encoding.UTF8.GetBytes(line), DatasetKind.Sft, "sft_t2t.jsonl", 3, out problem)!;

    static string Golden => Fixture.Json("minimind3", "chat_template.json").GetProperty("cases").EnumerateArray()
        .Single(c => c.TryGetProperty("sft_record", out _)).GetProperty("text").GetString()!;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AToolUseRecord_Validates_AndRendersAsTheOriginalsSftDataset(bool asStrings)
    {
        var record = Parse(Line(asStrings), out var problem);
        var encoder = new ConversationEncoder(ByteLevelBpeTokenizer.Load(Fixture.Path("minimind3", "tokenizer")));

        Assert.Null(problem);
        Assert.Equal(["system", "user", "assistant", "tool", "assistant"], record.Messages.Select(m => m.Role));
        Assert.Equal(Golden, encoder.Render(record.Messages));
    }

    [Fact]
    public void Labels_TrainTheAssistantsCallsAndAnswer_NotTheToolResult()
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(Fixture.Path("minimind3", "tokenizer"));
        var encoder = new ConversationEncoder(tokenizer);
        var record = Parse(Line(true), out _);
        var ids = encoder.Encode(record.Messages);

        var (inputs, labels) = SftLabels.Build(ids, encoder.Markers, 512, tokenizer.PadId!.Value);

        // the original's generate_labels, written out here over Hugging Face's token ids of its rendering
        using var hf = new HfTokenizer(Fixture.Path("minimind3", "tokenizer", "tokenizer.json"));
        int[] expectedIds = [.. hf.Encode(Golden).Select(i => (int)i)];
        int[] start = [.. hf.Encode("<|im_start|>assistant\n").Select(i => (int)i)], end = [.. hf.Encode("<|im_end|>\n").Select(i => (int)i)];
        var padded = expectedIds.Concat(Enumerable.Repeat(tokenizer.PadId!.Value, 512 - expectedIds.Length)).ToArray();
        var expected = Enumerable.Repeat(SftLabels.Ignore, 512).ToArray();
        for (int i = 0; i < padded.Length;)
        {
            if (!padded.AsSpan(i).StartsWith(start)) { i++; continue; }
            int s = i + start.Length, e = s;
            while (e < padded.Length && !padded.AsSpan(e).StartsWith(end)) e++;
            for (int j = s; j < Math.Min(e + end.Length, 512); j++) expected[j] = padded[j];
            i = e < padded.Length ? e + end.Length : padded.Length;
        }

        Assert.Equal(padded, inputs);
        Assert.Equal(expected, labels);
        var trained = tokenizer.Decode(labels.Where(l => l != SftLabels.Ignore));
        Assert.Contains("<tool_call>", trained);
        Assert.Contains("上海18度。", trained);
        Assert.DoesNotContain("tool_response", trained);
        Assert.DoesNotContain("temp", trained);
    }

    [Theory]
    [InlineData("""{"conversations": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "", "tool_calls": "[{\"name\": \"f\", "}, {"role": "tool", "content": "r"}, {"role": "assistant", "content": "a"}]}""", "conversations[1].tool_calls", "not valid JSON")]
    [InlineData("""{"conversations": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "", "tool_calls": [{"arguments": {}}]}, {"role": "tool", "content": "r"}, {"role": "assistant", "content": "a"}]}""", "conversations[1].tool_calls", "names no function")]
    [InlineData("""{"conversations": [{"role": "system", "content": "s", "tools": "not json"}, {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}""", "conversations[0].tools", "not valid JSON")]
    [InlineData("""{"conversations": [{"role": "user", "content": "q"}, {"role": "tool", "content": "r"}, {"role": "assistant", "content": "a"}]}""", "conversations[1].role", "must follow an assistant turn that calls tools")]
    [InlineData("""{"conversations": [{"role": "user", "content": "q"}, {"role": "assistant", "content": ""}]}""", "conversations[1].content", "empty assistant turn")]
    [InlineData("""{"conversations": [{"role": "user", "content": "q", "tool_calls": [{"name": "f"}]}, {"role": "assistant", "content": "a"}]}""", "conversations[0].tool_calls", "only an assistant turn calls tools")]
    public void ABadToolRecord_IsAFindingNamingTheField(string line, string field, string message)
    {
        var record = RecordParser.Parse(Encoding.UTF8.GetBytes(line), DatasetKind.Sft, "sft_t2t.jsonl", 7, out var problem);

        Assert.Null(record);
        Assert.NotNull(problem);
        Assert.Equal(field, problem.Field);
        Assert.Contains(message, problem.Message);
        Assert.StartsWith($"sft_t2t.jsonl:7: {field}: ", problem.ToString());
    }
}
