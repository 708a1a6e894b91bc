using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace MiniMind.Engine.IO;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header of
/// <c>name: {dtype, shape, data_offsets}</c> plus optional <c>__metadata__</c>, then raw little-endian data).
/// Written here rather than through TorchSharp.PyBridge because an export must carry
/// <c>__metadata__: {"format": "pt"}</c> (transformers refuses a file whose metadata names another format)
/// and pad the header to 8 bytes as the reference writer does; and because a truncated or corrupt file
/// must fail with the file, the tensor and the problem named, before anything is written.
/// </summary>
public static class SafetensorsFile
{
    const int HeaderAlignment = 8;

    /// <summary>Every tensor of the file on the CPU, in its stored dtype (the caller disposes them).</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file not found: {path}", path);
        using var stream = File.OpenRead(path);
        long fileLength = stream.Length;
        if (fileLength < 8) throw Problem(path, $"is {fileLength} bytes long, too short for a safetensors header (truncated?)");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8) || headerLength > 100_000_000)
            throw Problem(path, $"declares a {headerLength}-byte header but the file holds {fileLength - 8} bytes after the length field (truncated, or not a safetensors file)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength, dataLength = fileLength - dataStart;

        JsonDocument header;
        try { header = JsonDocument.Parse(headerBytes); }
        catch (JsonException e) { throw Problem(path, $"has a header that is not valid JSON ({e.Message})"); }

        var result = new Dictionary<string, Tensor>();
        try
        {
            using (header)
            {
                if (header.RootElement.ValueKind != JsonValueKind.Object) throw Problem(path, "has a header that is not a JSON object");
                foreach (var entry in header.RootElement.EnumerateObject())
                {
                    if (entry.Name == "__metadata__") continue;
                    var (dtype, shape, begin, end) = ParseEntry(path, entry);
                    long expected = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(dtype);
                    if (end - begin != expected)
                        throw Problem(path, $"tensor {entry.Name}: data_offsets [{begin}, {end}] hold {end - begin} bytes, but {DTypeName(dtype)} [{string.Join(", ", shape)}] needs {expected}");
                    if (end > dataLength)
                        throw Problem(path, $"tensor {entry.Name}: data_offsets end at byte {end} but the file holds only {dataLength} bytes of data (truncated)");
                    var bytes = new byte[end - begin];
                    stream.Position = dataStart + begin;
                    stream.ReadExactly(bytes);
                    var tensor = empty(shape, dtype);
                    tensor.bytes = bytes;
                    result[entry.Name] = tensor;
                }
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes the tensors (CPU, contiguous; any of F32/F16/BF16/I64) in the given order with
    /// <c>__metadata__</c>. Not atomic by itself: callers write to a temporary path and rename.
    /// </summary>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var headerJson = new MemoryStream();
        using (var writer = new Utf8JsonWriter(headerJson))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            foreach (var (k, v) in metadata ?? new Dictionary<string, string> { ["format"] = "pt" }) writer.WriteString(k, v);
            writer.WriteEndObject();
            long offset = 0;
            foreach (var (name, t) in tensors)
            {
                long length = t.numel() * ElementSize(t.dtype);
                writer.WriteStartObject(name);
                writer.WriteString("dtype", DTypeName(t.dtype));
                writer.WriteStartArray("shape");
                foreach (var d in t.shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += length;
            }
            writer.WriteEndObject();
        }
        // pad the header with spaces so the data starts 8-byte aligned, as the reference writer does
        int padding = (int)((HeaderAlignment - headerJson.Length % HeaderAlignment) % HeaderAlignment);
        for (int i = 0; i < padding; i++) headerJson.WriteByte((byte)' ');

        using var file = File.Create(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)headerJson.Length);
        file.Write(lengthBytes);
        headerJson.Position = 0;
        headerJson.CopyTo(file);
        foreach (var (name, t) in tensors)
        {
            if (t.device_type != TorchSharp.DeviceType.CPU || !t.is_contiguous())
                throw new ArgumentException($"Tensor {name} must be a contiguous CPU tensor to be written.");
            file.Write(t.bytes);
        }
    }

    static (ScalarType DType, long[] Shape, long Begin, long End) ParseEntry(string path, JsonProperty entry)
    {
        var e = entry.Value;
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var offsetsJson) || offsetsJson.ValueKind != JsonValueKind.Array || offsetsJson.GetArrayLength() != 2)
            throw Problem(path, $"tensor {entry.Name}: the header entry needs dtype, shape and two data_offsets");
        var dtype = dtypeJson.GetString() switch
        {
            "F32" => ScalarType.Float32,
            "F16" => ScalarType.Float16,
            "BF16" => ScalarType.BFloat16,
            "F64" => ScalarType.Float64,
            "I64" => ScalarType.Int64,
            "I32" => ScalarType.Int32,
            "I8" => ScalarType.Int8,
            "U8" => ScalarType.Byte,
            "BOOL" => ScalarType.Bool,
            var other => throw Problem(path, $"tensor {entry.Name}: unsupported dtype \"{other}\""),
        };
        var shape = shapeJson.EnumerateArray().Select(d => d.TryGetInt64(out var v) && v >= 0 ? v : throw Problem(path, $"tensor {entry.Name}: invalid shape {shapeJson}")).ToArray();
        long begin = offsetsJson[0].TryGetInt64(out var b) ? b : -1, end = offsetsJson[1].TryGetInt64(out var en) ? en : -1;
        if (begin < 0 || end < begin) throw Problem(path, $"tensor {entry.Name}: invalid data_offsets {offsetsJson}");
        return (dtype, shape, begin, end);
    }

    internal static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new ArgumentException($"dtype {dtype} cannot be stored in safetensors here."),
    };

    static string DTypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"dtype {dtype} cannot be stored in safetensors here."),
    };

    static InvalidDataException Problem(string path, string what) => new($"{path}: {what}.");
}
