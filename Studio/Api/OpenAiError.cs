using System.Text.Json;

namespace MiniMind.Studio.Api;

/// <summary>Writes errors the way OpenAI does: <c>{"error": {"message", "type", "param", "code"}}</c>, so clients' error handling works unchanged.</summary>
public static class OpenAiError
{
    public static async Task WriteAsync(HttpResponse response, ApiException error)
    {
        response.StatusCode = error.StatusCode;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(Serialize(error.Message, error.Type, error.Param, error.Code));
    }

    public static byte[] Serialize(string message, string type, string? param, string? code)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ChatCompletionJson.Options))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", type);
            json.WriteString("param", param);
            json.WriteString("code", code);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
