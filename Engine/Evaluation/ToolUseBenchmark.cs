using System.Text;
using System.Text.Json;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Chat.Tools;
using MiniMind.Engine.Data;
using MiniMind.Engine.Generation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Evaluation;

/// <summary>One held-out tool-use question: the tool and arguments a right call has, and the words a right final answer holds.</summary>
public sealed record ToolUseItem(string Question, string Tool, string Arguments, string Answer);

/// <summary>One question's outcome: what the model first wrote, whether it called the right tool rightly, and its final answer.</summary>
public sealed record ToolUseOutcome(string Question, string Tool, string Expected, string FirstAnswer, bool RightCall, string FinalAnswer, bool Answered);

/// <summary>
/// The demo's tool-use benchmark, in the spirit of the current original's <c>scripts/eval_toolcall.py</c>: each question is
/// asked with the studio's built-in tools offered (as the Chat page offers them), greedily; the first call must name the
/// expected tool with arguments that mean the same (an expression of the same value, a name of the same person); the calls
/// are run, their results given back, and the final answer must hold the expected words. Reports both shares.
/// </summary>
public static class ToolUseBenchmark
{
    static readonly IChatTool[] Tools = [new CalculatorTool(), new DemoPeopleTool()];

    /// <summary>New tokens per answer (a call, or an answer from its result): a call spelled out in the demo's small vocabulary takes about 70.</summary>
    public const int MaxNewTokens = 128;

    public static List<ToolUseItem> Read(string path)
    {
        var items = new List<ToolUseItem>();
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                string Text(string field) => root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0
                    ? v.GetString()! : throw new InvalidDataException($"{path}:{number}: {field}: missing or not a string");
                if (!root.TryGetProperty("arguments", out var arguments) || arguments.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{path}:{number}: arguments: missing or not an object");
                items.Add(new ToolUseItem(Text("question"), Text("tool"), arguments.GetRawText(), Text("answer")));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{number}: malformed JSON ({e.Message})", e);
            }
        }
        return items;
    }

    public static (double RightCalls, double Answered, IReadOnlyList<ToolUseOutcome> Outcomes) Run(MiniMindModel model, ByteLevelBpeTokenizer tokenizer,
        IEnumerable<ToolUseItem> items, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        var list = items.ToList();
        var answerer = new ChatAnswerer(model, tokenizer, MaxNewTokens);
        var toolsJson = ToolJson.Of(Tools);
        var names = Tools.Select(t => t.Name).ToList();
        var outcomes = new List<ToolUseOutcome>();
        foreach (var item in list)
        {
            cancel.ThrowIfCancellationRequested();
            List<ChatMessage> messages = [ChatMessage.User(item.Question)];
            var first = answerer.Answer(messages, toolsJson, cancel);
            var parsed = ToolCallParser.Parse(first, names);
            var rightCall = parsed.Calls.Count > 0 && parsed.Calls[0].Name == item.Tool && SameArguments(item.Tool, parsed.Calls[0].Arguments, item.Arguments);
            var final = first;
            if (parsed.Calls.Count > 0)
            {
                messages.Add(new ChatMessage("assistant", parsed.Text, ToolCalls: ToolCall.ToJson(parsed.Calls)));
                foreach (var call in parsed.Calls)
                    messages.Add(new ChatMessage("tool", ToolRunner.RunAsync(Tools, call, cancel).GetAwaiter().GetResult().Content));
                final = answerer.Answer(messages, toolsJson, cancel);
            }
            var answered = ToolCallParser.Parse(final, names).Calls.Count == 0 && new QuizQuestion(item.Question, [item.Answer], WholeWords: true).Passes(final);
            outcomes.Add(new ToolUseOutcome(item.Question, item.Tool, item.Answer, first, rightCall, final, answered));
            progress?.Report((outcomes.Count, list.Count));
        }
        double Share(Func<ToolUseOutcome, bool> ok) => outcomes.Count == 0 ? 0 : (double)outcomes.Count(ok) / outcomes.Count;
        return (Share(o => o.RightCall), Share(o => o.Answered), outcomes);
    }

    /// <summary>Whether a call's arguments mean what the expected ones do: the same value of the expression, the same person.</summary>
    internal static bool SameArguments(string tool, string given, string expected)
    {
        try
        {
            using var g = JsonDocument.Parse(given);
            using var e = JsonDocument.Parse(expected);
            return tool switch
            {
                "calculate" => CalculatorTool.Evaluate(ToolJson.RequiredString(g.RootElement, "expression")) == CalculatorTool.Evaluate(ToolJson.RequiredString(e.RootElement, "expression")),
                "get_person" => MiniMind.Engine.Data.Demo.BuiltInTools.SamePerson(ToolJson.RequiredString(g.RootElement, "name"), ToolJson.RequiredString(e.RootElement, "name")),
                _ => JsonElement.DeepEquals(g.RootElement, e.RootElement),
            };
        }
        catch (Exception ex) when (ex is ToolException or JsonException)
        {
            return false;
        }
    }

}
