using System.Text;

namespace MiniMind.Engine.Interop.Gguf;

/// <summary>
/// A GGUF version 3 file (ggml's <c>docs/gguf.md</c>): the header, the metadata key/value pairs in the order they were
/// added, the tensor infos, then every tensor's bytes at an offset aligned to <see cref="Alignment"/>. Little-endian,
/// as llama.cpp reads it. Values are kept as given and written once by <see cref="Write"/>.
/// </summary>
public sealed class GgufWriter
{
    /// <summary>general.alignment's default: each tensor's data starts at a multiple of 32 bytes.</summary>
    public const int Alignment = 32;

    const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32
    const uint Version = 3;

    readonly List<(string Key, GgufValueType Type, object Value)> metadata = [];
    readonly List<GgufTensor> tensors = [];

    public IReadOnlyList<GgufTensor> Tensors => tensors;

    public void Add(string key, string value) => AddValue(key, GgufValueType.String, value);

    public void Add(string key, uint value) => AddValue(key, GgufValueType.UInt32, value);

    public void Add(string key, int value) => AddValue(key, GgufValueType.Int32, value);

    public void Add(string key, float value) => AddValue(key, GgufValueType.Float32, value);

    public void Add(string key, bool value) => AddValue(key, GgufValueType.Bool, value);

    public void Add(string key, IReadOnlyList<string> values) => AddValue(key, GgufValueType.Array, new ArrayValue(GgufValueType.String, values.ToArray<object>()));

    public void Add(string key, IReadOnlyList<int> values) => AddValue(key, GgufValueType.Array, new ArrayValue(GgufValueType.Int32, values.Select(v => (object)v).ToArray()));

    /// <summary>A tensor: its name, its ggml shape (innermost dimension first) and its bytes in that type.</summary>
    public void AddTensor(GgufTensor tensor)
    {
        if (tensors.Any(t => t.Name == tensor.Name)) throw new ArgumentException($"GGUF tensor {tensor.Name} is added twice.");
        long expected = tensor.Type.ByteCount(tensor.Shape);
        if (tensor.Data.Length != expected)
            throw new ArgumentException($"GGUF tensor {tensor.Name}: {tensor.Data.Length} bytes for shape [{string.Join(", ", tensor.Shape)}] in {tensor.Type}, expected {expected}.");
        tensors.Add(tensor);
    }

    void AddValue(string key, GgufValueType type, object value)
    {
        if (metadata.Any(m => m.Key == key)) throw new ArgumentException($"GGUF key {key} is set twice.");
        metadata.Add((key, type, value));
    }

    public void Write(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Version);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)metadata.Count);
        foreach (var (key, type, value) in metadata)
        {
            WriteString(w, key);
            w.Write((uint)type);
            WriteValue(w, type, value);
        }
        ulong offset = 0;
        foreach (var t in tensors)
        {
            WriteString(w, t.Name);
            w.Write((uint)t.Shape.Count);
            foreach (var d in t.Shape) w.Write((ulong)d);
            w.Write((uint)t.Type);
            w.Write(offset);
            offset = Align(offset + (ulong)t.Data.Length);
        }
        w.Flush();
        Pad(w, stream.Position);
        foreach (var t in tensors)
        {
            w.Write(t.Data);
            Pad(w, t.Data.Length);
        }
        w.Flush();
    }

    static ulong Align(ulong n) => (n + Alignment - 1) / Alignment * Alignment;

    static void Pad(BinaryWriter w, long written)
    {
        long padding = (long)Align((ulong)written) - written;
        for (long i = 0; i < padding; i++) w.Write((byte)0);
    }

    static void WriteString(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    static void WriteValue(BinaryWriter w, GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.String: WriteString(w, (string)value); break;
            case GgufValueType.UInt32: w.Write((uint)value); break;
            case GgufValueType.Int32: w.Write((int)value); break;
            case GgufValueType.Float32: w.Write((float)value); break;
            case GgufValueType.Bool: w.Write((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.Array:
                var array = (ArrayValue)value;
                w.Write((uint)array.ItemType);
                w.Write((ulong)array.Items.Length);
                foreach (var item in array.Items) WriteValue(w, array.ItemType, item);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "not a GGUF value type this writer uses");
        }
    }

    sealed record ArrayValue(GgufValueType ItemType, object[] Items);
}

/// <summary>The GGUF metadata value types (gguf.md, <c>gguf_metadata_value_type</c>); only those the export writes.</summary>
public enum GgufValueType : uint
{
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
}

/// <summary>One tensor of a GGUF file: name, ggml shape (ne[0] first: a PyTorch (out, in) weight is [in, out]), type, bytes.</summary>
public sealed record GgufTensor(string Name, IReadOnlyList<long> Shape, GgmlType Type, byte[] Data);
