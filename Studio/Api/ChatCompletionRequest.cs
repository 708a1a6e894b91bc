using System.Text;
using System.Text.Json;
using MiniMind.Engine.Chat;
using MiniMind.Engine.Data;

namespace MiniMind.Studio.Api;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c>, read field by field so every mistake becomes a 400 naming
/// its field. Besides OpenAI's fields it reads top_k, repetition_penalty and enable_thinking (as vLLM does).
/// </summary>
public sealed record ChatCompletionRequest(string Model, IReadOnlyList<ChatMessage> Messages, ChatOptions Options, bool Stream, bool IncludeUsage)
{
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
        bool includeUsage = body.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind == JsonValueKind.Object
                            && OptionalBool(streamOptions, "include_usage", "stream_options.include_usage") == true;
        return new ChatCompletionRequest(model, messages, options, OptionalBool(body, "stream") ?? false, includeUsage);
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
            if (!ChatPromptBuilder.Roles.Contains(role) && role != "developer")
                throw ApiException.BadRequest($"Invalid value: '{role}'. Supported values are: 'system', 'developer', 'user' and 'assistant'.", $"{at}.role", "invalid_value");
            messages.Add(new ChatMessage(role, Content(m, at)));
            i++;
        }
        return messages;
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
