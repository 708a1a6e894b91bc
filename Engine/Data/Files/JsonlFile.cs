using Microsoft.Win32.SafeHandles;

namespace MiniMind.Engine.Data;

/// <summary>
/// A jsonl file opened for random access: record N (line N+1) is read straight from its offset in the
/// <see cref="LineIndex"/>, so any record of a multi-GB file costs one positioned read. Thread-safe: reads carry their own offset.
/// </summary>
public sealed class JsonlFile : DatasetFile
{
    const int BlockLines = 2048;
    const long BlockBytes = 8L << 20;

    readonly SafeFileHandle handle;

    JsonlFile(string path, LineIndex index) : base(path)
    {
        Index = index;
        handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
    }

    public LineIndex Index { get; }

    /// <summary>Records (lines) in the file.</summary>
    public override long Count => Index.LineCount;

    public override string RecordNoun => "line";

    public static new JsonlFile Open(string path, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var index = LineIndex.Open(path, progress, cancellationToken);
        try
        {
            return new JsonlFile(path, index);
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>The UTF-8 bytes of record <paramref name="record"/> without its line ending.</summary>
    public override byte[] ReadBytes(long record)
    {
        var start = Index.StartOf(record);
        var bytes = ReadRange(start, Index.StartOf(record + 1) - start);
        var trimmed = bytes.Length;
        if (trimmed > 0 && bytes[trimmed - 1] == '\n') trimmed--;
        if (trimmed > 0 && bytes[trimmed - 1] == '\r') trimmed--;
        return trimmed == bytes.Length ? bytes : bytes[..trimmed];
    }

    /// <summary><paramref name="length"/> bytes from <paramref name="start"/>, in one positioned read.</summary>
    public byte[] ReadRange(long start, long length)
    {
        if (length > Array.MaxLength) throw new InvalidDataException($"{Path}: a line at byte {start} is longer than 2 GB");
        var bytes = new byte[length];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(handle, bytes.AsSpan(read), start + read);
            if (n == 0) throw new InvalidDataException($"{Path}: the file is shorter than its index says; it changed while open");
            read += n;
        }
        return bytes;
    }

    /// <summary>Lines from <paramref name="first"/> in one positioned read: up to <see cref="BlockLines"/> lines or about <see cref="BlockBytes"/>.</summary>
    internal override ReadOnlyMemory<byte>[] ReadBlock(long first, CancellationToken cancellationToken)
    {
        var start = Index.StartOf(first);
        var count = 1;
        while (count < BlockLines && first + count < Count && Index.StartOf(first + count + 1) - start <= BlockBytes) count++;
        var bytes = ReadRange(start, Index.StartOf(first + count) - start);
        var lines = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            var from = (int)(Index.StartOf(first + i) - start);
            var to = (int)(Index.StartOf(first + i + 1) - start);
            if (to > from && bytes[to - 1] == '\n') to--;
            if (to > from && bytes[to - 1] == '\r') to--;
            lines[i] = bytes.AsMemory(from, to - from);
        }
        return lines;
    }

    internal override double FractionBefore(long record) => (double)Index.StartOf(record) / Math.Max(1, Index.StartOf(Count));

    public override void Dispose()
    {
        handle.Dispose();
        Index.Dispose();
    }
}
