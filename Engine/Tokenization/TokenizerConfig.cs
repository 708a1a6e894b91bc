using System.Text.Json;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// What transformers reads from <c>tokenizer_config.json</c>: the bos/eos/pad/unk token strings (plain strings
/// or <c>{"content": ...}</c> objects) and the Jinja <c>chat_template</c>.
/// </summary>
sealed record TokenizerConfig(string? Bos, string? Eos, string? Pad, string? Unk, string? ChatTemplate)
{
    public static readonly TokenizerConfig Empty = new(null, null, null, null, null);

    public static TokenizerConfig Read(string path)
    {
        var fields = new JsonFields(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, "$", $"is not valid JSON: {e.Message}");
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw fields.Error("$", $"must be a JSON object, not {root.ValueKind}");
            return new TokenizerConfig(
                TokenString(root, "bos_token", fields),
                TokenString(root, "eos_token", fields),
                TokenString(root, "pad_token", fields),
                TokenString(root, "unk_token", fields),
                ChatTemplateOf(root, fields));
        }
    }

    static string? TokenString(JsonElement root, string name, JsonFields fields)
    {
        return JsonFields.Optional(root, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { ValueKind: JsonValueKind.Object } o => fields.RequiredString(o, "content", name),
            { } other => throw fields.Error(name, $"must be a string or an object with 'content', not {other.ValueKind}"),
        };
    }

    static string? ChatTemplateOf(JsonElement root, JsonFields fields)
    {
        JsonElement? template = JsonFields.Optional(root, "chat_template");
        if (template is { ValueKind: JsonValueKind.Array } named)
        {
            // Newer transformers store [{"name": "default", "template": ...}, ...].
            foreach (JsonElement entry in named.EnumerateArray())
            {
                if (fields.OptionalString(entry, "name", "chat_template[]") == "default")
                {
                    return fields.RequiredString(entry, "template", "chat_template[]");
                }
            }
            return null;
        }
        return fields.OptionalString(root, "chat_template", "$");
    }
}
