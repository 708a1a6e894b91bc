using System.Text.Json;

namespace MiniMind.Engine.Tokenization;

/// <summary>Typed access to JSON fields that turns every mismatch into a <see cref="TokenizerFormatException"/> naming the field.</summary>
sealed class JsonFields(string file)
{
    public string File { get; } = file;

    public TokenizerFormatException Error(string field, string problem) => new(File, field, problem);

    public JsonElement Required(JsonElement obj, string name, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out JsonElement value))
        {
            throw Error($"{path}.{name}", "is missing");
        }
        return value;
    }

    /// <summary>The property, or null when absent or JSON null.</summary>
    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public string RequiredString(JsonElement obj, string name, string path)
    {
        JsonElement value = Required(obj, name, path);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Error($"{path}.{name}", $"must be a string, not {value.ValueKind}");
    }

    public int RequiredInt(JsonElement obj, string name, string path)
    {
        JsonElement value = Required(obj, name, path);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result)
            ? result
            : throw Error($"{path}.{name}", $"must be an integer, not {value}");
    }

    public bool OptionalBool(JsonElement obj, string name, string path, bool fallback)
    {
        return Optional(obj, name) switch
        {
            null => fallback,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            { } other => throw Error($"{path}.{name}", $"must be a boolean, not {other.ValueKind}"),
        };
    }

    public string? OptionalString(JsonElement obj, string name, string path)
    {
        return Optional(obj, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { } other => throw Error($"{path}.{name}", $"must be a string, not {other.ValueKind}"),
        };
    }
}
