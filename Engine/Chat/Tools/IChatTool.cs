using System.Text.Json;

namespace MiniMind.Engine.Chat.Tools;

/// <summary>
/// A tool a chat can offer a model: its name, what it does and its parameters (a JSON schema object), as the chat
/// template shows them, and how to run it on the arguments of a call. A tool that throws, hangs or answers at great length
/// is bounded by <see cref="ToolRunner"/>.
/// </summary>
public interface IChatTool
{
    string Name { get; }
    string Description { get; }
    /// <summary>The JSON schema of the arguments: <c>{"type": "object", "properties": {...}, "required": [...]}</c>.</summary>
    string Parameters { get; }

    /// <summary>The result for the model, as text (usually JSON); throw <see cref="ToolException"/> for a call it cannot answer.</summary>
    Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken);
}

/// <summary>A call a tool cannot answer (a missing argument, an expression it cannot read): its message goes to the model as the result.</summary>
public sealed class ToolException(string message) : Exception(message);

/// <summary>The OpenAI function-tool JSON of a set of tools, as requests and the chat template take them.</summary>
public static class ToolJson
{
    public static string Of(IEnumerable<IChatTool> tools)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var tool in tools)
            {
                json.WriteStartObject();
                json.WriteString("type", "function");
                json.WriteStartObject("function");
                json.WriteString("name", tool.Name);
                json.WriteString("description", tool.Description);
                json.WritePropertyName("parameters");
                json.WriteRawValue(tool.Parameters);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A string argument of a call, or a <see cref="ToolException"/> naming it.</summary>
    public static string RequiredString(JsonElement arguments, string name) =>
        arguments.ValueKind == JsonValueKind.Object && arguments.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw new ToolException($"the argument \"{name}\" (a string) is missing");
}
