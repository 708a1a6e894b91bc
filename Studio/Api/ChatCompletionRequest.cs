using System.Text;
using System.Text.Json;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Chat.Tools;
using MiniMind.Engine.Data;

namespace MiniMind.Studio.Api;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c>, read field by field so every mistake becomes a 400 naming
/// its field. Besides OpenAI's fields it reads top_k, repetition_penalty and enable_thinking (as vLLM does).
/// <see cref="ToolNames"/>: the function tools offered (their JSON goes to <see cref="ChatOptions.Tools"/>); empty when
/// none, or when <c>tool_choice</c> is <c>"none"</c>.
/// </summary>
public sealed record ChatCompletionRequest(string Model, IReadOnlyList<ChatMessage> Messages, ChatOptions Options, bool Stream, bool IncludeUsage)
{
    public IReadOnlyList<string> ToolNames { get; init; } = [];

    /// <summary>OpenAI's limit on the tools of one request.</summary>
    public const int MaxTools = 128;

    public static async Task<ChatCompletionRequest> ReadAsync(HttpRequest request, CancellationToken cancel)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancel);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"The request body is not valid JSON: {e.Message}");
        }
        using (document)
            return Parse(document.RootElement);
    }

    public static ChatCompletionRequest Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest("The request body must be a JSON object.");
        var model = OptionalString(body, "model") ?? throw ApiException.BadRequest("you must provide a model parameter", "model");
        var messages = ReadMessages(body);
        var defaults = new ChatOptions();
        var maxTokens = OptionalInt(body, "max_completion_tokens") ?? OptionalInt(body, "max_tokens");
        var options = new ChatOptions
        {
            Temperature = OptionalDouble(body, "temperature") ?? defaults.Temperature,
            TopP = OptionalDouble(body, "top_p") ?? defaults.TopP,
            TopK = OptionalInt(body, "top_k") ?? defaults.TopK,
            RepetitionPenalty = OptionalDouble(body, "repetition_penalty") ?? defaults.RepetitionPenalty,
            MaxTokens = maxTokens,
            Stop = ReadStop(body),
            Seed = OptionalLong(body, "seed"),
            N = OptionalInt(body, "n") ?? 1,
            EnableThinking = OptionalBool(body, "enable_thinking"),
        };
        var (tools, names) = ReadTools(body);
        if (tools is not null) options = options with { Tools = tools };
        bool includeUsage = body.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind == JsonValueKind.Object
                            && OptionalBool(streamOptions, "include_usage", "stream_options.include_usage") == true;
        return new ChatCompletionRequest(model, messages, options, OptionalBool(body, "stream") ?? false, includeUsage) { ToolNames = names };
    }

    /// <summary>
    /// <c>tools</c>: OpenAI's function tools, each checked (a name of letters, digits, _ and -, at most 64; a description
    /// string; parameters a JSON schema object whose required names are among its properties); <c>tool_choice</c>: "auto"
    /// (the default) or "none" (the tools are not offered). The tools as the template's JSON, and their names.
    /// </summary>
    static (string? Json, IReadOnlyList<string> Names) ReadTools(JsonElement body)
    {
        var choice = "auto";
        if (Field(body, "tool_choice") is { } tc)
        {
            if (tc.ValueKind == JsonValueKind.String && Text(tc, "tool_choice") is "auto" or "none") choice = tc.GetString()!;
            else if (tc.ValueKind == JsonValueKind.String && tc.GetString() == "required" || tc.ValueKind == JsonValueKind.Object)
                throw ApiException.BadRequest("tool_choice \"required\" and a named function are not supported: the model decides whether to call a tool (\"auto\"), or is offered none (\"none\").", "tool_choice", "unsupported_value");
            else throw ApiException.BadRequest("'tool_choice' must be \"auto\" or \"none\".", "tool_choice", "invalid_value");
        }
        if (Field(body, "tools") is not { } tools) return (null, []);
        if (tools.ValueKind != JsonValueKind.Array) throw ApiException.BadRequest("'tools' must be an array of function tools.", "tools");
        if (tools.GetArrayLength() > MaxTools) throw ApiException.BadRequest($"At most {MaxTools} tools; got {tools.GetArrayLength()}.", "tools");
        var names = new List<string>();
        var i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var at = $"tools[{i++}]";
            if (tool.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest($"'{at}' must be an object.", at);
            if (OptionalString(tool, "type", $"{at}.type") is { } type && type != "function")
                throw ApiException.BadRequest($"'{at}.type' must be \"function\"; got \"{type}\".", $"{at}.type", "invalid_value");
            if (Field(tool, "function") is not { ValueKind: JsonValueKind.Object } function)
                throw ApiException.BadRequest($"Missing required parameter: '{at}.function' (an object with name, description and parameters).", $"{at}.function");
            var name = OptionalString(function, "name", $"{at}.function.name") ?? throw ApiException.BadRequest($"Missing required parameter: '{at}.function.name'.", $"{at}.function.name");
            if (ToolSchema.NameProblem(name) is { } bad)
                throw ApiException.BadRequest($"Invalid '{at}.function.name': {bad}.", $"{at}.function.name", "invalid_value");
            if (names.Contains(name)) throw ApiException.BadRequest($"Two tools are named \"{name}\".", $"{at}.function.name", "invalid_value");
            OptionalString(function, "description", $"{at}.function.description");
            if (Field(function, "parameters") is { } parameters && ToolSchema.ParametersProblem(parameters, $"{at}.function.parameters") is { } problem)
                throw ApiException.BadRequest($"'{problem.Field}' {problem.Message}.", problem.Field, "invalid_value");
            names.Add(name);
        }
        return choice == "none" || names.Count == 0 ? (null, []) : (tools.GetRawText(), names);
    }

    static List<ChatMessage> ReadMessages(JsonElement body)
    {
        if (!body.TryGetProperty("messages", out var array) || array.ValueKind == JsonValueKind.Null)
            throw ApiException.BadRequest("Missing required parameter: 'messages'.", "messages");
        if (array.ValueKind != JsonValueKind.Array) throw ApiException.BadRequest("'messages' must be an array.", "messages");
        if (array.GetArrayLength() == 0) throw ApiException.BadRequest("'messages' must contain at least one message.", "messages");
        var messages = new List<ChatMessage>();
        int i = 0;
        foreach (var m in array.EnumerateArray())
        {
            var at = $"messages[{i}]";
            if (m.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest($"'{at}' must be an object.", at);
            var role = OptionalString(m, "role", $"{at}.role") ?? throw ApiException.BadRequest($"Missing required parameter: '{at}.role'.", $"{at}.role");
            if (!ChatPromptBuilder.Roles.Contains(role) && role is not ("developer" or "tool"))
                throw ApiException.BadRequest($"Invalid value: '{role}'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.", $"{at}.role", "invalid_value");
            if (role == "tool")
            {
                if (OptionalString(m, "tool_call_id", $"{at}.tool_call_id") is null)
                    throw ApiException.BadRequest($"Missing required parameter: '{at}.tool_call_id'.", $"{at}.tool_call_id");
                if (messages.Count == 0 || messages[^1].Role != "tool" && messages[^1].ToolCalls is null)
                    throw ApiException.BadRequest($"'{at}': a tool message must follow an assistant message with tool_calls (or another tool message).", $"{at}.role", "invalid_value");
            }
            var calls = role == "assistant" ? ReadToolCalls(m, at) : null;
            var content = calls is not null && Field(m, "content") is null ? "" : Content(m, at);
            messages.Add(new ChatMessage(role, content, ToolCalls: calls));
            i++;
        }
        return messages;
    }

    /// <summary>An assistant message's <c>tool_calls</c> (OpenAI's shape) as the template's JSON; null when it has none.</summary>
    static string? ReadToolCalls(JsonElement message, string at)
    {
        if (Field(message, "tool_calls") is not { } calls) return null;
        if (calls.ValueKind != JsonValueKind.Array) throw ApiException.BadRequest($"'{at}.tool_calls' must be an array.", $"{at}.tool_calls");
        if (calls.GetArrayLength() == 0) return null;
        var i = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var c = $"{at}.tool_calls[{i++}]";
            if (call.ValueKind != JsonValueKind.Object || Field(call, "function") is not { ValueKind: JsonValueKind.Object } function)
                throw ApiException.BadRequest($"'{c}' must be an object with a function (name and arguments).", c);
            if (OptionalString(function, "name", $"{c}.function.name") is null) throw ApiException.BadRequest($"Missing required parameter: '{c}.function.name'.", $"{c}.function.name");
            // the template writes the arguments into the prompt: they must be a JSON object (OpenAI sends it as a string)
            if (Field(function, "arguments") is not { } args) throw ApiException.BadRequest($"Missing required parameter: '{c}.function.arguments'.", $"{c}.function.arguments");
            if (!IsJsonObject(args)) throw ApiException.BadRequest($"'{c}.function.arguments' must be a JSON object, written as a string.", $"{c}.function.arguments", "invalid_value");
        }
        return calls.GetRawText();
    }

    static bool IsJsonObject(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Object) return true;
        if (value.ValueKind != JsonValueKind.String) return false;
        try
        {
            using var parsed = JsonDocument.Parse(value.GetString()!);
            return parsed.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A string, or an array of content parts of which the text parts are joined (images are refused).</summary>
    static string Content(JsonElement message, string at)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
            throw ApiException.BadRequest($"Missing required parameter: '{at}.content'.", $"{at}.content");
        if (content.ValueKind == JsonValueKind.String) return Text(content, $"{at}.content");
        if (content.ValueKind != JsonValueKind.Array) throw ApiException.BadRequest($"'{at}.content' must be a string or an array of content parts.", $"{at}.content");
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || OptionalString(part, "type", $"{at}.content") != "text")
                throw ApiException.BadRequest($"Only text content parts are supported in '{at}.content'.", $"{at}.content");
            text.Append(OptionalString(part, "text", $"{at}.content") ?? "");
        }
        return text.ToString();
    }

    static IReadOnlyList<string> ReadStop(JsonElement body)
    {
        if (!body.TryGetProperty("stop", out var stop) || stop.ValueKind == JsonValueKind.Null) return [];
        if (stop.ValueKind == JsonValueKind.String) return [Text(stop, "stop")];
        if (stop.ValueKind == JsonValueKind.Array && stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String))
            return stop.EnumerateArray().Select(s => Text(s, "stop")).ToList();
        throw ApiException.BadRequest("'stop' must be a string or an array of strings.", "stop");
    }

    static string? OptionalString(JsonElement o, string name, string? param = null) =>
        Field(o, name) is not { } v ? null
        : v.ValueKind == JsonValueKind.String ? Text(v, param ?? name)
        : throw ApiException.BadRequest($"'{param ?? name}' must be a string.", param ?? name);

    static double? OptionalDouble(JsonElement o, string name) =>
        Field(o, name) is not { } v ? null
        : v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : throw ApiException.BadRequest($"'{name}' must be a number.", name);

    static int? OptionalInt(JsonElement o, string name) =>
        Field(o, name) is not { } v ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
        : throw ApiException.BadRequest($"'{name}' must be an integer.", name);

    static long? OptionalLong(JsonElement o, string name) =>
        Field(o, name) is not { } v ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i
        : throw ApiException.BadRequest($"'{name}' must be an integer.", name);

    static bool? OptionalBool(JsonElement o, string name, string? param = null) =>
        Field(o, name) is not { } v ? null
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
        : throw ApiException.BadRequest($"'{param ?? name}' must be a boolean.", param ?? name);

    /// <summary>
    /// A JSON string's text. The parser checks the JSON's shape, not that its strings are Unicode: a lone surrogate
    /// (escaped as <c>\ud800</c> or sent raw) or bytes that are not UTF-8 fail here, and are the client's mistake.
    /// </summary>
    static string Text(JsonElement value, string param)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw ApiException.BadRequest($"'{param}' is not valid Unicode text: it holds a lone surrogate or bytes that are not UTF-8.", param, "invalid_value");
        }
    }

    /// <summary>A present, non-null field (JSON null means "not given", as OpenAI reads it).</summary>
    static JsonElement? Field(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
}
