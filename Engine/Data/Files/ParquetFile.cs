using Parquet;

namespace MiniMind.Engine.Data;

/// <summary>
/// A Parquet dataset opened for random access: record N is row N, rendered as the same JSON object a jsonl line would
/// hold (<see cref="ParquetRowAssembler"/>). Row groups are the unit of reading: the footer gives each group's row count, so
/// finding row N costs a binary search, and reading it decodes only its row group. The last two groups decoded are kept,
/// so browsing neighbouring rows and streaming passes decode each group once; memory stays at about two row groups
/// whatever the file size. Thread-safe: reads take a lock (the underlying reader shares one stream).
/// </summary>
public sealed class ParquetFile : DatasetFile
{
    const int GroupsKept = 2;

    readonly FileStream stream;
    readonly ParquetReader reader;
    readonly ParquetRowAssembler assembler;
    readonly long[] groupStarts;
    readonly Lock gate = new();
    readonly LinkedList<(int Group, byte[][] Rows)> recent = new();

    ParquetFile(string path, FileStream stream, ParquetReader reader, ParquetRowAssembler assembler) : base(path)
    {
        this.stream = stream;
        this.reader = reader;
        this.assembler = assembler;
        groupStarts = new long[reader.RowGroupCount + 1];
        for (var g = 0; g < reader.RowGroupCount; g++) groupStarts[g + 1] = groupStarts[g] + reader.RowGroups[g].RowCount;
    }

    public override long Count => groupStarts[^1];

    public override string RecordNoun => "row";

    public int RowGroupCount => groupStarts.Length - 1;

    /// <summary>Opens <paramref name="path"/>, reading only its footer (schema and row-group sizes).</summary>
    public static ParquetFile Open(string path, CancellationToken cancellationToken = default)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.RandomAccess);
        ParquetReader reader;
        try
        {
            // Older writers store strings as binary without the UTF-8 mark; read every binary column as text.
            var options = new ParquetOptions { TreatByteArrayAsString = true };
            reader = Sync(() => ParquetReader.CreateAsync(stream, options, leaveStreamOpen: true, cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stream.Dispose();
            // Parquet.Net reports a damaged footer with assorted exception types (IOException among them); name the file, keep the reason.
            throw new InvalidDataException($"{path}: not a readable Parquet file ({e.Message})", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        try
        {
            return new ParquetFile(path, stream, reader, ParquetRowAssembler.For(reader.Schema, path));
        }
        catch
        {
            DisposeReader(reader);
            stream.Dispose();
            throw;
        }
    }

    public override byte[] ReadBytes(long record)
    {
        if ((ulong)record >= (ulong)Count) throw new ArgumentOutOfRangeException(nameof(record), $"row {record} is outside 0..{Count - 1}");
        var group = GroupOf(record);
        return Rows(group, CancellationToken.None)[record - groupStarts[group]];
    }

    /// <summary>The rest of the row group that holds <paramref name="first"/>.</summary>
    internal override ReadOnlyMemory<byte>[] ReadBlock(long first, CancellationToken cancellationToken)
    {
        var group = GroupOf(first);
        var rows = Rows(group, cancellationToken);
        var from = (int)(first - groupStarts[group]);
        var block = new ReadOnlyMemory<byte>[rows.Length - from];
        for (var i = 0; i < block.Length; i++) block[i] = rows[from + i];
        return block;
    }

    internal override double FractionBefore(long record) => Count == 0 ? 1 : (double)record / Count;

    /// <summary>The row group holding <paramref name="record"/>: the last group starting at or before it (groups may be empty).</summary>
    int GroupOf(long record)
    {
        var at = Array.BinarySearch(groupStarts, record);
        if (at < 0) return ~at - 1;
        while (at + 1 < groupStarts.Length - 1 && groupStarts[at + 1] == record) at++;
        return Math.Min(at, RowGroupCount - 1);
    }

    byte[][] Rows(int group, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            for (var node = recent.First; node is not null; node = node.Next)
            {
                if (node.Value.Group != group) continue;
                recent.Remove(node);
                recent.AddFirst(node);
                return node.Value.Rows;
            }
            var rows = Sync(async () =>
            {
                using var reader = this.reader.OpenRowGroupReader(group);
                return await assembler.AssembleAsync(reader, cancellationToken);
            });
            recent.AddFirst((group, rows));
            if (recent.Count > GroupsKept) recent.RemoveLast();
            return rows;
        }
    }

    /// <summary>
    /// Parquet.Net is asynchronous and these APIs are not. Running the work on the thread pool keeps a caller with a
    /// synchronization context (a Blazor circuit) from deadlocking on a continuation that waits for that context.
    /// </summary>
    static T Sync<T>(Func<Task<T>> work) => Task.Run(work).GetAwaiter().GetResult();

    static void DisposeReader(ParquetReader reader) => reader.DisposeAsync().AsTask().GetAwaiter().GetResult();

    public override void Dispose()
    {
        lock (gate) recent.Clear();
        DisposeReader(reader);
        stream.Dispose();
    }
}
