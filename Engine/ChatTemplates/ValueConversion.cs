using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// Converts caller-supplied .NET and JSON values into the interpreter's value model:
/// string, bool, long, double, null (None), <see cref="List{T}"/> and string-keyed
/// <see cref="Dictionary{TKey,TValue}"/> (insertion-ordered, like Python dicts, since nothing removes keys).
/// </summary>
public static class ValueConversion
{
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? (object)integer : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.Object => element.EnumerateObject().Aggregate(
            new Dictionary<string, object?>(),
            (dict, property) =>
            {
                dict[property.Name] = FromJson(property.Value);
                return dict;
            }),
        _ => throw new ArgumentOutOfRangeException(nameof(element), element.ValueKind, "Unknown JSON value kind"),
    };

    /// <summary>A JSON text (a record's <c>tools</c> or <c>tool_calls</c>) as template values.</summary>
    public static object? FromJsonText(string json)
    {
        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement);
    }

    public static object? FromJson(JsonNode? node) =>
        node == null ? null : FromJson(JsonSerializer.SerializeToElement(node));

    /// <summary>Normalises a plain .NET value (recursively); values already in the model pass through.</summary>
    public static object? Normalize(object? value) => value switch
    {
        null or string or bool or long or double => value,
        int or short or byte or sbyte or ushort or uint => Convert.ToInt64(value),
        ulong u => u <= long.MaxValue ? (object)(long)u : (double)u,
        float or decimal => Convert.ToDouble(value),
        char c => c.ToString(),
        JsonElement element => FromJson(element),
        JsonNode node => FromJson(node),
        IReadOnlyDictionary<string, object?> dict => dict.ToDictionary(p => p.Key, p => Normalize(p.Value)),
        IDictionary dict => NormalizeDictionary(dict),
        IEnumerable sequence => sequence.Cast<object?>().Select(Normalize).ToList(),
        _ => value,
    };

    static Dictionary<string, object?> NormalizeDictionary(IDictionary dict)
    {
        var result = new Dictionary<string, object?>();
        foreach (DictionaryEntry entry in dict)
        {
            result[entry.Key as string ?? throw new ArgumentException("Template dictionaries need string keys")] = Normalize(entry.Value);
        }
        return result;
    }
}
