using System.IO.MemoryMappedFiles;
using System.Text;

namespace MiniMind.Engine.Data;

/// <summary>
/// The byte offset of every line of a jsonl file, built once by scanning for newlines and cached in
/// <c>.cache/NAME.idx</c> (rebuilt when the file's size or modification time changes). The offsets stay in the
/// memory-mapped cache file, so a 9 GB file with tens of millions of lines costs no managed memory.
/// </summary>
public sealed class LineIndex : IDisposable
{
    const string Magic = "MMLIDX01";
    const int HeaderBytes = 8 + 16 + 8;
    const int ScanBuffer = 1 << 20;

    readonly MemoryMappedFile map;
    readonly MemoryMappedViewAccessor view;

    LineIndex(string cachePath, long lineCount)
    {
        CachePath = cachePath;
        LineCount = lineCount;
        map = MemoryMappedFile.CreateFromFile(cachePath, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
    }

    /// <summary>Lines in the file (a final line without a newline counts; the empty remainder after a final newline does not).</summary>
    public long LineCount { get; }

    public string CachePath { get; }

    /// <summary>Whether <see cref="Open"/> found a valid cache instead of scanning the file.</summary>
    public bool FromCache { get; private init; }

    /// <summary>Byte offset where line <paramref name="line"/> (0-based) starts; <c>StartOf(LineCount)</c> is the file length.</summary>
    public long StartOf(long line)
    {
        if ((ulong)line > (ulong)LineCount) throw new ArgumentOutOfRangeException(nameof(line), $"line {line} is outside 0..{LineCount}");
        return view.ReadInt64(HeaderBytes + line * 8);
    }

    /// <summary>Opens the cached index of <paramref name="dataPath"/>, building it first when missing or stale.</summary>
    public static LineIndex Open(string dataPath, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var stamp = SourceStamp.Of(dataPath);
        var cachePath = CacheLocation.For(dataPath, ".idx");
        if (ReadHeader(cachePath, stamp) is { } cached) return new LineIndex(cachePath, cached) { FromCache = true };
        var count = Build(dataPath, cachePath, stamp, progress, cancellationToken);
        return new LineIndex(cachePath, count);
    }

    static long? ReadHeader(string cachePath, SourceStamp stamp)
    {
        if (!File.Exists(cachePath)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(cachePath));
            if (Encoding.ASCII.GetString(reader.ReadBytes(8)) != Magic) return null;
            if (SourceStamp.Read(reader) != stamp) return null;
            var count = reader.ReadInt64();
            return reader.BaseStream.Length == HeaderBytes + (count + 1) * 8 ? count : null;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    static long Build(string dataPath, string cachePath, SourceStamp stamp, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        long count = 0;
        CacheLocation.WriteAtomically(cachePath, stream =>
        {
            var writer = new BinaryWriter(stream);
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            stamp.Write(writer);
            writer.Write(0L); // line count, patched below
            using var handle = File.OpenHandle(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            var buffer = new byte[ScanBuffer];
            var pending = new long[ScanBuffer / 8];
            int pendingCount = 0;
            long position = 0;
            long lineStart = 0;
            var nextReport = 0L;
            while (true)
            {
                var read = RandomAccess.Read(handle, buffer, position);
                if (read == 0) break;
                var span = buffer.AsSpan(0, read);
                int at = 0;
                while (true)
                {
                    // IndexOf on bytes is vectorised: this loop runs at memory speed.
                    var hit = span[at..].IndexOf((byte)'\n');
                    if (hit < 0) break;
                    pending[pendingCount++] = lineStart;
                    count++;
                    if (pendingCount == pending.Length) Flush();
                    at += hit + 1;
                    lineStart = position + at;
                }
                position += read;
                if (position >= nextReport)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report((double)position / Math.Max(1, stamp.Length));
                    nextReport = position + (64L << 20);
                }
            }
            if (lineStart < position)
            {
                pending[pendingCount++] = lineStart;
                count++;
                if (pendingCount == pending.Length) Flush();
            }
            pending[pendingCount++] = position;
            Flush();
            writer.Flush();
            stream.Position = 8 + 16;
            writer.Write(count);
            writer.Flush();
            progress?.Report(1.0);

            void Flush()
            {
                writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(pending.AsSpan(0, pendingCount)));
                pendingCount = 0;
            }
        });
        return count;
    }

    public void Dispose()
    {
        view.Dispose();
        map.Dispose();
    }
}
