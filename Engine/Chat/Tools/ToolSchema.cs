using System.Text.Json;

namespace MiniMind.Engine.Chat.Tools;

/// <summary>
/// What a declared tool must be for a template to show it and a model to call it: a name of 1 to 64 letters, digits, _
/// or -, and parameters that are a JSON schema of an object (its properties schema objects, its required names among
/// them). Each check returns the problem with the field it is in, or null.
/// </summary>
public static class ToolSchema
{
    public const int MaxNameLength = 64;

    public static string? NameProblem(string name) =>
        name.Length is 0 or > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? $"\"{name}\" must be 1 to {MaxNameLength} letters, digits, underscores or dashes"
            : null;

    /// <summary>The problem of a parameters schema, as (field under <paramref name="at"/>, message), or null.</summary>
    public static (string Field, string Message)? ParametersProblem(JsonElement schema, string at)
    {
        if (schema.ValueKind != JsonValueKind.Object) return (at, "must be a JSON schema object");
        if (schema.TryGetProperty("type", out var type) && type.ValueKind != JsonValueKind.Null && !(type.ValueKind == JsonValueKind.String && type.GetString() == "object"))
            return ($"{at}.type", $"must be \"object\" (a function takes named arguments); got {type.GetRawText()}");
        var properties = new HashSet<string>();
        if (schema.TryGetProperty("properties", out var props) && props.ValueKind != JsonValueKind.Null)
        {
            if (props.ValueKind != JsonValueKind.Object) return ($"{at}.properties", "must be an object");
            foreach (var p in props.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Object) return ($"{at}.properties.{p.Name}", "must be a schema object");
                properties.Add(p.Name);
            }
        }
        if (schema.TryGetProperty("required", out var required) && required.ValueKind != JsonValueKind.Null)
        {
            if (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
                return ($"{at}.required", "must be an array of property names");
            foreach (var r in required.EnumerateArray())
                if (!properties.Contains(r.GetString()!)) return ($"{at}.required", $"names \"{r.GetString()}\", which is not among its properties");
        }
        return null;
    }

    /// <summary>The problem of a parameters schema written as JSON text, or null.</summary>
    public static string? ParametersProblem(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return ParametersProblem(document.RootElement, "parameters") is { } p ? $"{p.Field}: {p.Message}" : null;
        }
        catch (JsonException e)
        {
            return $"parameters: not valid JSON ({e.Message.Split('.')[0]})";
        }
    }
}
