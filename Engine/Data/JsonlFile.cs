using Microsoft.Win32.SafeHandles;

namespace MiniMind.Engine.Data;

/// <summary>
/// A jsonl file opened for random access: record N (line N+1) is read straight from its offset in the
/// <see cref="LineIndex"/>, so any record of a multi-GB file costs one positioned read. Thread-safe: reads carry their own offset.
/// </summary>
public sealed class JsonlFile : IDisposable
{
    readonly SafeFileHandle handle;

    JsonlFile(string path, LineIndex index)
    {
        Path = path;
        Index = index;
        handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
    }

    public string Path { get; }

    public LineIndex Index { get; }

    /// <summary>Records (lines) in the file.</summary>
    public long Count => Index.LineCount;

    public static JsonlFile Open(string path, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
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
    public byte[] ReadBytes(long record)
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

    /// <summary>Record <paramref name="record"/> as text.</summary>
    public string ReadLine(long record) => System.Text.Encoding.UTF8.GetString(ReadBytes(record));

    public void Dispose()
    {
        handle.Dispose();
        Index.Dispose();
    }
}
