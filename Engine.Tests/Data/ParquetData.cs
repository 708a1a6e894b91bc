using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace MiniMind.Engine.Tests.Data;

/// <summary>
/// Writes test datasets as Parquet with the column shapes HuggingFace <c>datasets</c> writes (<c>text</c> a string;
/// <c>conversations</c>, <c>chosen</c>, <c>rejected</c> lists of structs {role, content, reasoning_content}), and the
/// equivalent jsonl, so a test can compare the two readers record for record.
/// </summary>
public static class ParquetData
{
    /// <summary>A message struct: a new instance each time, because a Parquet.Net field belongs to one place in a schema.</summary>
    static StructField Message() => new("element",
        new DataField<string>("role"), new DataField<string>("content"), new DataField<string>("reasoning_content"));

    public static ParquetSchema Pretrain => new(new DataField<string>("text"));

    public static ParquetSchema Sft => new(new ListField("conversations", Message()));

    public static ParquetSchema Dpo => new(new ListField("chosen", Message()), new ListField("rejected", Message()));

    /// <summary>One message as a row value: a dictionary of its fields (reasoning_content null when absent).</summary>
    public static Dictionary<string, object?> Turn(string role, string? content, string? reasoning = null) =>
        new() { ["role"] = role, ["content"] = content, ["reasoning_content"] = reasoning };

    /// <summary>Writes <paramref name="rows"/> under <paramref name="schema"/>, <paramref name="rowGroupSize"/> rows per row group.</summary>
    public static string Write(string dir, string name, ParquetSchema schema, IReadOnlyList<Dictionary<string, object?>> rows, int rowGroupSize = 1000)
    {
        var path = Path.Combine(dir, name);
        using var stream = File.Create(path);
        var untyped = rows.Select(r => (IDictionary<string, object?>)r).ToList();
        ParquetSerializer.SerializeUntypedAsync(untyped, schema, stream, new ParquetOptions { RowGroupSize = rowGroupSize }).GetAwaiter().GetResult();
        return path;
    }

    /// <summary>The same rows as jsonl lines (null fields left out, as a jsonl writer would).</summary>
    public static string WriteJsonl(string dir, string name, IEnumerable<Dictionary<string, object?>> rows)
    {
        var path = Path.Combine(dir, name);
        var options = new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
        File.WriteAllLines(path, rows.Select(r => JsonSerializer.Serialize(Strip(r), options)));
        return path;
    }

    static object? Strip(object? value) => value switch
    {
        Dictionary<string, object?> fields => fields.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => Strip(kv.Value)),
        IEnumerable<Dictionary<string, object?>> items => items.Select(Strip).ToList(),
        _ => value,
    };
}
