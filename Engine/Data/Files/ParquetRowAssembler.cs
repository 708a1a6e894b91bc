using System.Text.Encodings.Web;
using System.Text.Json;
using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace MiniMind.Engine.Data;

/// <summary>
/// Turns the rows of one Parquet row group back into JSON objects, one per row, so they go through the same
/// <see cref="RecordParser"/> as jsonl lines. Parquet stores each leaf column separately with definition and repetition
/// levels; this re-assembles the shapes HuggingFace <c>datasets</c> writes: scalar columns (<c>text</c>), lists of
/// structs (<c>conversations</c>, <c>chosen</c>, <c>rejected</c>: <c>list&lt;struct&lt;role, content, ...&gt;&gt;</c>), lists of
/// scalars and structs of scalars. A column's null becomes JSON null (so a null <c>text</c> is reported as such), and
/// a column of another type keeps its JSON type (an int <c>text</c> is reported as a number). Columns of deeper shapes are
/// left out, unless they are one of the dataset columns, which makes opening the file fail with a clear message.
/// </summary>
sealed class ParquetRowAssembler
{
    /// <summary>The columns a dataset record is made of: a deeper shape here cannot be skipped silently.</summary>
    static readonly string[] DatasetColumns = ["text", "conversations", "chosen", "rejected"];

    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly string path;
    readonly List<Field> columns;

    ParquetRowAssembler(string path, List<Field> columns)
    {
        this.path = path;
        this.columns = columns;
    }

    public static ParquetRowAssembler For(ParquetSchema schema, string path)
    {
        var columns = new List<Field>();
        foreach (var field in schema.Fields)
        {
            if (IsSupported(field)) columns.Add(field);
            else if (DatasetColumns.Contains(field.Name))
            {
                throw new InvalidDataException(
                    $"{path}: column '{field.Name}' is a {field.SchemaType} of a shape this reader does not handle; expected a string, or a list of structs of strings (role, content)");
            }
        }
        return new ParquetRowAssembler(path, columns);
    }

    static bool IsSupported(Field field) => field switch
    {
        DataField => true,
        StructField s => s.Fields.All(f => f is DataField),
        ListField { Item: DataField } => true,
        ListField { Item: StructField item } => item.Fields.All(f => f is DataField),
        _ => false,
    };

    /// <summary>The rows of <paramref name="group"/> as UTF-8 JSON objects, in row order.</summary>
    public async Task<byte[][]> AssembleAsync(ParquetRowGroupReader group, CancellationToken cancellationToken)
    {
        var rows = checked((int)group.RowCount);
        var values = new List<(string Name, object?[] PerRow)>(columns.Count);
        foreach (var column in columns)
        {
            cancellationToken.ThrowIfCancellationRequested();
            values.Add((column.Name, await ColumnAsync(group, column, rows, cancellationToken)));
        }
        var result = new byte[rows][];
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        for (var r = 0; r < rows; r++)
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartObject();
                foreach (var (name, perRow) in values)
                {
                    writer.WritePropertyName(name);
                    Write(writer, perRow[r]);
                }
                writer.WriteEndObject();
            }
            result[r] = buffer.WrittenSpan.ToArray();
        }
        return result;
    }

    /// <summary>One top-level column's value for every row: a scalar, a dictionary (struct), a list, or null.</summary>
    async Task<object?[]> ColumnAsync(ParquetRowGroupReader group, Field column, int rows, CancellationToken cancellationToken)
    {
        var perRow = new object?[rows];
        switch (column)
        {
            case DataField leaf:
            {
                var (values, levels, _) = await ReadLeafAsync(group, leaf, cancellationToken);
                var next = 0;
                for (var r = 0; r < rows; r++) perRow[r] = levels is null || levels[r] == leaf.MaxDefinitionLevel ? values[next++] : null;
                break;
            }
            case StructField structure:
            {
                for (var f = 0; f < structure.Fields.Count; f++)
                {
                    var leaf = (DataField)structure.Fields[f];
                    var (values, levels, _) = await ReadLeafAsync(group, leaf, cancellationToken);
                    var next = 0;
                    for (var r = 0; r < rows; r++)
                    {
                        var level = levels?[r] ?? leaf.MaxDefinitionLevel;
                        if (level < structure.MaxDefinitionLevel) continue; // the struct itself is null
                        var fields = (Dictionary<string, object?>)(perRow[r] ??= new Dictionary<string, object?>());
                        fields[leaf.Name] = level == leaf.MaxDefinitionLevel ? values[next++] : null;
                    }
                }
                break;
            }
            case ListField list:
            {
                var leaves = list.Item is StructField s ? s.Fields.Cast<DataField>().ToArray() : [(DataField)list.Item];
                for (var f = 0; f < leaves.Length; f++)
                {
                    await AssembleListLeafAsync(group, list, leaves[f], first: f == 0, perRow, cancellationToken);
                }
                break;
            }
        }
        return perRow;
    }

    /// <summary>
    /// Walks one leaf of a list column by its levels. Repetition level 0 starts a row; a definition level below the list's
    /// own level means the list is null (one less) or empty (exactly one less); then, for struct items, below the struct's
    /// level means a null element, and below the leaf's level a null field. The first leaf builds the lists and element
    /// dictionaries; the other leaves fill their field into the same elements, which share the same levels structure.
    /// </summary>
    async Task AssembleListLeafAsync(ParquetRowGroupReader group, ListField list, DataField leaf, bool first, object?[] perRow,
        CancellationToken cancellationToken)
    {
        var (values, definitions, repetitions) = await ReadLeafAsync(group, leaf, cancellationToken);
        if (definitions is null || repetitions is null) throw new InvalidDataException($"{path}: column '{list.Name}' has no repetition levels");
        var structure = list.Item as StructField;
        int row = -1, element = 0, next = 0;
        for (var k = 0; k < definitions.Length; k++)
        {
            var level = definitions[k];
            if (repetitions[k] == 0)
            {
                row++;
                element = 0;
                if (row >= perRow.Length) throw new InvalidDataException($"{path}: column '{list.Name}' holds more rows than its row group");
                if (level < list.MaxDefinitionLevel - 1) continue; // a null list
                if (first) perRow[row] = new List<object?>();
                if (level == list.MaxDefinitionLevel - 1) continue; // an empty list
            }
            if (perRow[row] is not List<object?> items) continue;
            if (structure is null)
            {
                items.Add(level == leaf.MaxDefinitionLevel ? values[next++] : null);
            }
            else if (level < structure.MaxDefinitionLevel)
            {
                if (first) items.Add(null); // a null element
            }
            else
            {
                if (first) items.Add(new Dictionary<string, object?>());
                if (element < items.Count && items[element] is Dictionary<string, object?> fields)
                {
                    fields[leaf.Name] = level == leaf.MaxDefinitionLevel ? values[next++] : null;
                }
                else if (level == leaf.MaxDefinitionLevel) next++;
            }
            element++;
        }
    }

    /// <summary>A leaf column's present values (packed, without nulls) and its definition and repetition levels (null where the column has none).</summary>
    async Task<(object?[] Values, int[]? Definitions, int[]? Repetitions)> ReadLeafAsync(ParquetRowGroupReader group, DataField leaf,
        CancellationToken cancellationToken)
    {
        using var raw = await group.ReadRawColumnDataBaseAsync(leaf, cancellationToken);
        var definitions = leaf.MaxDefinitionLevel > 0 ? raw.DefinitionLevels.ToArray() : null;
        var repetitions = leaf.MaxRepetitionLevel > 0 ? raw.RepetitionLevels.ToArray() : null;
        var present = definitions is null ? -1 : definitions.Count(d => d == leaf.MaxDefinitionLevel);
        return (Values(raw, present, leaf), definitions, repetitions);
    }

    /// <summary>The first <paramref name="present"/> values (all when -1) as objects that <see cref="Write"/> knows.</summary>
    object?[] Values(RawColumnData raw, int present, DataField leaf) => raw switch
    {
        RawColumnData<ReadOnlyMemory<char>> v => Take(v.Values, present, m => (object?)m.ToString()),
        RawColumnData<bool> v => Take(v.Values, present, b => (object?)b),
        RawColumnData<sbyte> v => Take(v.Values, present, n => (object?)(long)n),
        RawColumnData<byte> v => Take(v.Values, present, n => (object?)(long)n),
        RawColumnData<short> v => Take(v.Values, present, n => (object?)(long)n),
        RawColumnData<ushort> v => Take(v.Values, present, n => (object?)(long)n),
        RawColumnData<int> v => Take(v.Values, present, n => (object?)(long)n),
        RawColumnData<uint> v => Take(v.Values, present, n => (object?)(long)n),
        RawColumnData<long> v => Take(v.Values, present, n => (object?)n),
        RawColumnData<ulong> v => Take(v.Values, present, n => (object?)(decimal)n),
        RawColumnData<float> v => Take(v.Values, present, n => (object?)(double)n),
        RawColumnData<double> v => Take(v.Values, present, n => (object?)n),
        RawColumnData<decimal> v => Take(v.Values, present, n => (object?)n),
        RawColumnData<DateTime> v => Take(v.Values, present, t => (object?)t.ToString("O")),
        RawColumnData<DateOnly> v => Take(v.Values, present, t => (object?)t.ToString("O")),
        RawColumnData<TimeSpan> v => Take(v.Values, present, t => (object?)t.ToString()),
        RawColumnData<ReadOnlyMemory<byte>> v => Take(v.Values, present, b => (object?)b.ToArray()),
        _ => throw new InvalidDataException($"{path}: column '{leaf.Path}' has values of type {leaf.ClrType.Name}, which this reader does not handle"),
    };

    static object?[] Take<T>(Span<T> values, int present, Func<T, object?> box)
    {
        var count = present < 0 ? values.Length : present;
        var result = new object?[count];
        for (var i = 0; i < count; i++) result[i] = box(values[i]);
        return result;
    }

    static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long n: writer.WriteNumberValue(n); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case double d: writer.WriteStringValue(d.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case decimal m: writer.WriteNumberValue(m); break;
            // Only binary that the reader did not decode as text (ParquetOptions.TreatByteArrayAsString) gets here.
            case byte[] bytes: writer.WriteBase64StringValue(bytes); break;
            case Dictionary<string, object?> fields:
                writer.WriteStartObject();
                foreach (var (name, field) in fields)
                {
                    writer.WritePropertyName(name);
                    Write(writer, field);
                }
                writer.WriteEndObject();
                break;
            case List<object?> items:
                writer.WriteStartArray();
                foreach (var item in items) Write(writer, item);
                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(value.ToString()); break;
        }
    }
}
