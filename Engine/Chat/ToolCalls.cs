using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MiniMind.Engine.Chat;

/// <summary>A call the model wrote: an id for the answer that carries its result, the tool's name and its arguments as a JSON object text.</summary>
public sealed record ToolCall(string Id, string Name, string Arguments)
{
    /// <summary>An id in OpenAI's shape (<c>call_</c> and 24 random characters).</summary>
    public static string NewId() => "call_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();

    /// <summary>The calls as a record's (and the chat template's) <c>tool_calls</c>: <c>[{"type": "function", "function": {"name", "arguments"}}]</c>.</summary>
    public static string ToJson(IEnumerable<ToolCall> calls)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var call in calls)
            {
                json.WriteStartObject();
                json.WriteString("id", call.Id);
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", call.Name);
                json.WritePropertyName("arguments");
                json.WriteRawValue(call.Arguments);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>What an answer holds once its tool calls are read: the text around them, the valid calls, and what was wrong with the others.</summary>
public sealed record ToolCallParse(string Text, IReadOnlyList<ToolCall> Calls, IReadOnlyList<string> Problems);

/// <summary>
/// Reads the <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c> blocks that minimind-3's template
/// teaches (Qwen's format). A block that is not a JSON object with a string name and object arguments, or names a tool
/// that was not offered, or is never closed, is not a call: it stays in the text behind a marker that says why
/// (<see cref="Marker"/>), so a client sees what the model wrote instead of an error.
/// </summary>
public static class ToolCallParser
{
    public const string Open = "<tool_call>", Close = "</tool_call>";

    /// <summary>The text put before a block that is not a call, with the reason.</summary>
    public static string Marker(string reason) => $"[tool call not run: {reason}] ";

    /// <summary>Splits <paramref name="content"/> into text and calls; <paramref name="offered"/>: the tool names a call may use.</summary>
    public static ToolCallParse Parse(string content, IReadOnlyCollection<string> offered)
    {
        var text = new StringBuilder();
        var calls = new List<ToolCall>();
        var problems = new List<string>();
        var at = 0;
        while (true)
        {
            var open = content.IndexOf(Open, at, StringComparison.Ordinal);
            if (open < 0)
            {
                text.Append(content, at, content.Length - at);
                break;
            }
            text.Append(content, at, open - at);
            var close = content.IndexOf(Close, open + Open.Length, StringComparison.Ordinal);
            if (close < 0)
            {
                problems.Add("a <tool_call> block is not closed (the answer ended inside it)");
                text.Append(Marker(problems[^1])).Append(content, open, content.Length - open);
                break;
            }
            var body = content[(open + Open.Length)..close];
            if (Read(body, offered, out var call) is { } problem)
            {
                problems.Add(problem);
                text.Append(Marker(problem)).Append(content, open, close + Close.Length - open);
            }
            else calls.Add(call!);
            at = close + Close.Length;
        }
        return new ToolCallParse(text.ToString().Trim(), calls, problems);
    }

    /// <summary>One block's body as a call, or why it is not one.</summary>
    static string? Read(string body, IReadOnlyCollection<string> offered, out ToolCall? call)
    {
        call = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Trim());
        }
        catch (JsonException)
        {
            return "its body is not valid JSON";
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "its body is not a JSON object";
            if (!root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(name.GetString()))
                return "it names no tool";
            if (!offered.Contains(name.GetString()!)) return $"it names \"{name.GetString()}\", which is not an offered tool";
            var arguments = "{}";
            if (root.TryGetProperty("arguments", out var args) && args.ValueKind != JsonValueKind.Null)
            {
                if (args.ValueKind == JsonValueKind.String) // some models write the arguments as a JSON string
                {
                    try
                    {
                        using var inner = JsonDocument.Parse(args.GetString()!);
                        if (inner.RootElement.ValueKind != JsonValueKind.Object) return "its arguments are not a JSON object";
                        arguments = inner.RootElement.GetRawText();
                    }
                    catch (JsonException)
                    {
                        return "its arguments are not valid JSON";
                    }
                }
                else if (args.ValueKind != JsonValueKind.Object) return "its arguments are not a JSON object";
                else arguments = args.GetRawText();
            }
            call = new ToolCall(ToolCall.NewId(), name.GetString()!, arguments);
            return null;
        }
    }
}

/// <summary>
/// Streamed answer text with tool calls in it: text before the first <c>&lt;tool_call&gt;</c> passes at once, the rest
/// (and a tail that may be the start of the tag) is held until the answer ends, then read by <see cref="ToolCallParser"/>.
/// </summary>
public sealed class ToolCallStream(IReadOnlyCollection<string> offered)
{
    readonly StringBuilder held = new();
    bool inCall;

    /// <summary>The part of <paramref name="content"/> that can be shown now.</summary>
    public string Feed(string content)
    {
        if (inCall)
        {
            held.Append(content);
            return "";
        }
        held.Append(content);
        var all = held.ToString();
        var open = all.IndexOf(ToolCallParser.Open, StringComparison.Ordinal);
        if (open >= 0)
        {
            inCall = true;
            held.Clear().Append(all, open, all.Length - open);
            return all[..open];
        }
        // keep back a tail that could grow into "<tool_call>"
        var keep = 0;
        for (var k = Math.Min(ToolCallParser.Open.Length - 1, all.Length); k > 0; k--)
            if (ToolCallParser.Open.StartsWith(all[^k..], StringComparison.Ordinal)) { keep = k; break; }
        held.Clear().Append(all, all.Length - keep, keep);
        return all[..^keep];
    }

    /// <summary>At the end of the answer: the text still held (with markers for blocks that were not calls) and the calls.</summary>
    public ToolCallParse Finish()
    {
        var rest = held.ToString();
        held.Clear();
        if (!inCall) return new ToolCallParse(rest, [], []);
        var parsed = ToolCallParser.Parse(rest, offered);
        return parsed;
    }
}
