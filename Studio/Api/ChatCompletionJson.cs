using System.Text.Encodings.Web;
using System.Text.Json;
using MiniMind.Engine.Chat;

namespace MiniMind.Studio.Api;

/// <summary>The JSON of <c>chat.completion</c> and <c>chat.completion.chunk</c> objects, written directly (no intermediate objects per token).</summary>
public static class ChatCompletionJson
{
    /// <summary>Text as UTF-8, not \uXXXX escapes: a Chinese answer stays readable and a third the size. Safe here: the output is JSON, never HTML.</summary>
    public static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Reason(ChatFinishReason reason) => reason == ChatFinishReason.Length ? "length" : "stop";

    /// <param name="tools">Per choice, its content read for tool calls (when tools were offered): the text and calls written instead of the raw content.</param>
    public static byte[] Completion(string id, long created, string model, ChatCompletion completion, IReadOnlyList<ToolCallParse>? tools = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            Header(json, id, "chat.completion", created, model);
            json.WriteStartArray("choices");
            foreach (var choice in completion.Choices)
            {
                json.WriteStartObject();
                json.WriteNumber("index", choice.Index);
                json.WriteStartObject("message");
                json.WriteString("role", "assistant");
                var parsed = tools?[choice.Index];
                var calls = parsed?.Calls ?? [];
                // OpenAI's shape: a message that only calls tools has null content
                if (calls.Count > 0 && parsed!.Text.Length == 0) json.WriteNull("content");
                else json.WriteString("content", parsed?.Text ?? choice.Content);
                if (choice.Reasoning is not null) json.WriteString("reasoning_content", choice.Reasoning);
                if (calls.Count > 0)
                {
                    json.WriteStartArray("tool_calls");
                    for (var k = 0; k < calls.Count; k++) ToolCallJson(json, calls[k], k, withIndex: false);
                    json.WriteEndArray();
                }
                json.WriteEndObject();
                json.WriteNull("logprobs");
                json.WriteString("finish_reason", calls.Count > 0 && choice.FinishReason == ChatFinishReason.Stop ? "tool_calls" : Reason(choice.FinishReason));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            Usage(json, completion.Usage);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>One chunk of choice <paramref name="index"/>: an opening role, text and/or reasoning, or the finish reason.</summary>
    public static void Chunk(Utf8JsonWriter json, string id, long created, string model, int index,
        bool role, string? content, string? reasoning, ChatFinishReason? finish)
    {
        BeginDelta(json, id, created, model, index);
        if (role) json.WriteString("role", "assistant");
        if (!string.IsNullOrEmpty(content) || role) json.WriteString("content", content ?? "");
        if (!string.IsNullOrEmpty(reasoning)) json.WriteString("reasoning_content", reasoning);
        EndDelta(json, finish is { } f ? Reason(f) : null);
    }

    /// <summary>A streamed choice's tool calls, all in one chunk (each with its index, id, name and whole arguments).</summary>
    public static void ToolCallsChunk(Utf8JsonWriter json, string id, long created, string model, int index, IReadOnlyList<ToolCall> calls)
    {
        BeginDelta(json, id, created, model, index);
        json.WriteStartArray("tool_calls");
        for (var k = 0; k < calls.Count; k++) ToolCallJson(json, calls[k], k, withIndex: true);
        json.WriteEndArray();
        EndDelta(json, null);
    }

    /// <summary>The finish chunk of a choice that called tools.</summary>
    public static void ToolCallsFinishChunk(Utf8JsonWriter json, string id, long created, string model, int index)
    {
        BeginDelta(json, id, created, model, index);
        EndDelta(json, "tool_calls");
    }

    /// <summary>Opens a <c>chat.completion.chunk</c> of one choice, up to the inside of its <c>delta</c> object.</summary>
    static void BeginDelta(Utf8JsonWriter json, string id, long created, string model, int index)
    {
        json.WriteStartObject();
        Header(json, id, "chat.completion.chunk", created, model);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteStartObject("delta");
    }

    /// <summary>Closes what <see cref="BeginDelta"/> opened, with the finish reason (null: none yet).</summary>
    static void EndDelta(Utf8JsonWriter json, string? finish)
    {
        json.WriteEndObject();
        json.WriteNull("logprobs");
        if (finish is not null) json.WriteString("finish_reason", finish);
        else json.WriteNull("finish_reason");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>One call: OpenAI sends the arguments as a JSON string.</summary>
    static void ToolCallJson(Utf8JsonWriter json, ToolCall call, int index, bool withIndex)
    {
        json.WriteStartObject();
        if (withIndex) json.WriteNumber("index", index);
        json.WriteString("id", call.Id);
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", call.Name);
        json.WriteString("arguments", call.Arguments);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The closing chunk of <c>stream_options.include_usage</c>: no choices, the request's usage.</summary>
    public static void UsageChunk(Utf8JsonWriter json, string id, long created, string model, ChatUsage usage)
    {
        json.WriteStartObject();
        Header(json, id, "chat.completion.chunk", created, model);
        json.WriteStartArray("choices");
        json.WriteEndArray();
        Usage(json, usage);
        json.WriteEndObject();
    }

    static void Header(Utf8JsonWriter json, string id, string kind, long created, string model)
    {
        json.WriteString("id", id);
        json.WriteString("object", kind);
        json.WriteNumber("created", created);
        json.WriteString("model", model);
        json.WriteString("system_fingerprint", "minimind-studio");
    }

    static void Usage(Utf8JsonWriter json, ChatUsage usage)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", usage.PromptTokens);
        json.WriteNumber("completion_tokens", usage.CompletionTokens);
        json.WriteNumber("total_tokens", usage.TotalTokens);
        json.WriteEndObject();
    }
}
