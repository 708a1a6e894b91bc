using System.Buffers.Binary;

namespace MiniMind.Engine.Interop.Gguf;

/// <summary>The ggml tensor types the export writes (ggml.h, <c>ggml_type</c>).</summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,

    /// <summary>Blocks of 32 weights: one fp16 scale d = max|x| / 127 and 32 int8 values round(x / d); 34 bytes.</summary>
    Q8_0 = 8,
}

/// <summary>Sizes and encodings of <see cref="GgmlType"/>, as ggml defines them.</summary>
public static class GgmlTypes
{
    /// <summary>Weights per Q8_0 block (ggml's QK8_0).</summary>
    public const int Q8BlockSize = 32;

    const int Q8BlockBytes = 2 + Q8BlockSize;

    public static long ByteCount(this GgmlType type, IReadOnlyList<long> shape)
    {
        long count = shape.Aggregate(1L, (a, d) => a * d);
        return type switch
        {
            GgmlType.F32 => count * 4,
            GgmlType.F16 => count * 2,
            GgmlType.Q8_0 => count / Q8BlockSize * Q8BlockBytes,
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    /// <summary>The file type llama.cpp reports for a model mostly in this type (<c>general.file_type</c>, llama_ftype).</summary>
    public static uint FileType(this GgmlType type) => type switch
    {
        GgmlType.F32 => 0,  // LLAMA_FTYPE_ALL_F32
        GgmlType.F16 => 1,  // LLAMA_FTYPE_MOSTLY_F16
        GgmlType.Q8_0 => 7, // LLAMA_FTYPE_MOSTLY_Q8_0
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Encodes float32 values (row-major, rows of ne[0]) in a type.</summary>
    public static byte[] Encode(ReadOnlySpan<float> values, GgmlType type) => type switch
    {
        GgmlType.F32 => EncodeF32(values),
        GgmlType.F16 => EncodeF16(values),
        GgmlType.Q8_0 => EncodeQ8(values),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    static byte[] EncodeF32(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    // (Half)float rounds to nearest even, as ggml's GGML_FP32_TO_FP16 does
    static byte[] EncodeF16(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        return bytes;
    }

    /// <summary>ggml's <c>quantize_row_q8_0_ref</c>: d = amax / 127 stored as fp16; q = round-half-away(x / d) with the fp32 d.</summary>
    static byte[] EncodeQ8(ReadOnlySpan<float> values)
    {
        if (values.Length % Q8BlockSize != 0)
            throw new ArgumentException($"Q8_0 needs rows that are a multiple of {Q8BlockSize} values (got {values.Length} values).");
        var bytes = new byte[values.Length / Q8BlockSize * Q8BlockBytes];
        for (int b = 0; b < values.Length / Q8BlockSize; b++)
        {
            var block = values.Slice(b * Q8BlockSize, Q8BlockSize);
            float amax = 0;
            foreach (var v in block) amax = MathF.Max(amax, MathF.Abs(v));
            float d = amax / 127f, id = d != 0 ? 1f / d : 0f;
            var output = bytes.AsSpan(b * Q8BlockBytes, Q8BlockBytes);
            BinaryPrimitives.WriteHalfLittleEndian(output, (Half)d);
            for (int j = 0; j < Q8BlockSize; j++) output[2 + j] = (byte)(sbyte)MathF.Round(block[j] * id, MidpointRounding.AwayFromZero);
        }
        return bytes;
    }
}
