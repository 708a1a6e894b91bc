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

    public static byte[] Completion(string id, long created, string model, ChatCompletion completion)
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
                json.WriteString("content", choice.Content);
                if (choice.Reasoning is not null) json.WriteString("reasoning_content", choice.Reasoning);
                json.WriteEndObject();
                json.WriteNull("logprobs");
                json.WriteString("finish_reason", Reason(choice.FinishReason));
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
        json.WriteStartObject();
        Header(json, id, "chat.completion.chunk", created, model);
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteStartObject("delta");
        if (role) json.WriteString("role", "assistant");
        if (!string.IsNullOrEmpty(content) || role) json.WriteString("content", content ?? "");
        if (!string.IsNullOrEmpty(reasoning)) json.WriteString("reasoning_content", reasoning);
        json.WriteEndObject();
        json.WriteNull("logprobs");
        if (finish is { } f) json.WriteString("finish_reason", Reason(f));
        else json.WriteNull("finish_reason");
        json.WriteEndObject();
        json.WriteEndArray();
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
