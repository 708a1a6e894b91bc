using System.Text;
using Bunit;
using MiniMind.Engine.Data;
using MiniMind.Studio.Components.Pages.Datasets;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The Datasets page's view of a minimind-3 tool-use record: tools, calls and results as such, not raw JSON.</summary>
public sealed class ToolRecordViewTests : StudioComponentTest
{
    const string Line = """{"conversations": [{"role": "system", "content": "你是助手。", "tools": "[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather of a city\", \"parameters\": {}}}]"}, {"role": "user", "content": "上海天气？"}, {"role": "assistant", "content": "", "tool_calls": "[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"<script>alert(1)</script>\"}}]"}, {"role": "tool", "content": "{\"temp\": 18}"}, {"role": "assistant", "content": "上海18度。", "reasoning_content": "看结果"}]}""";

    [Fact]
    public void AToolUseRecord_ShowsTheToolsTheCallAndTheResult()
    {
        var record = RecordParser.Parse(Encoding.UTF8.GetBytes(Line), DatasetKind.Sft, "sft_t2t.jsonl", 1, out var problem);
        Assert.Null(problem);

        var cut = Render<RecordView>(p => p.Add(v => v.Record, record).Add(v => v.Raw, Line).Add(v => v.Line, 1));

        Assert.Contains("get_weather", cut.Find(".record-tools").TextContent);
        Assert.Contains("Weather of a city", cut.Find(".record-tools").TextContent);
        var call = cut.Find(".record-tool-call code").TextContent;
        Assert.Equal("get_weather({\"city\": \"<script>alert(1)</script>\"})", call);
        Assert.Empty(cut.FindAll("script")); // a record's text is shown, never run
        Assert.Contains("{\"temp\": 18}", cut.Find(".record-tool-result pre").TextContent);
        Assert.DoesNotContain("tool_calls", cut.Markup);
        Assert.Contains("上海18度。", cut.Markup);
        Assert.Contains("看结果", cut.Markup);
    }

    /// <summary>The current original's agent-RL and RLAIF prompts: the offered tools, the facts (gt) and the absence of a reference are shown as such.</summary>
    [Fact]
    public void AgentRlAndRlaifPrompts_ShowTheirToolsFactsOrThatNothingChecksThem()
    {
        const string agent = """{"conversations": [{"role": "system", "content": "s", "tools": [{"type": "function", "function": {"name": "calculate_math", "description": "计算数学表达式"}}]}, {"role": "user", "content": "12*7?"}, {"role": "assistant", "content": ""}], "gt": ["84"]}""";
        const string rlaif = """{"conversations": [{"role": "user", "content": "讲个笑话"}, {"role": "assistant", "content": ""}]}""";
        var agentRecord = RecordParser.Parse(Encoding.UTF8.GetBytes(agent), DatasetKind.Prompts, "agent_rl.jsonl", 1, out var p1);
        var rlaifRecord = RecordParser.Parse(Encoding.UTF8.GetBytes(rlaif), DatasetKind.Prompts, "rlaif.jsonl", 1, out var p2);
        Assert.Null(p1);
        Assert.Null(p2);

        var agentView = Render<RecordView>(p => p.Add(v => v.Record, agentRecord).Add(v => v.Raw, agent).Add(v => v.Line, 1));
        var rlaifView = Render<RecordView>(p => p.Add(v => v.Record, rlaifRecord).Add(v => v.Raw, rlaif).Add(v => v.Line, 1));

        Assert.Contains("calculate_math", agentView.Find(".record-tools").TextContent);
        Assert.Contains("84", agentView.Find(".record-facts").TextContent);
        Assert.Empty(agentView.FindAll(".record-no-reference"));
        Assert.Contains("讲个笑话", rlaifView.Markup);
        Assert.Contains("reward model", rlaifView.Find(".record-no-reference").TextContent);
        Assert.Empty(rlaifView.FindAll(".record-facts"));
    }
}
