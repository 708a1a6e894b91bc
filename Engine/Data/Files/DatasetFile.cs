namespace MiniMind.Engine.Data;

/// <summary>
/// A dataset file opened for random access to its records, whatever its format: a jsonl file (<see cref="JsonlFile"/>,
/// one record per line) or a Parquet file (<see cref="ParquetFile"/>, one record per row). Every record comes back as
/// the UTF-8 JSON of one object, so one parser (<see cref="RecordParser"/>) validates both formats and reports problems
/// the same way. Record numbers in problems are 1-based lines (jsonl) or rows (parquet): <see cref="RecordNoun"/>.
/// </summary>
public abstract class DatasetFile : IDisposable
{
    protected DatasetFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>Records in the file (jsonl: lines, blank ones included; parquet: rows).</summary>
    public abstract long Count { get; }

    /// <summary>"line" or "row": what a record number counts, for messages and the studio.</summary>
    public abstract string RecordNoun { get; }

    /// <summary>The UTF-8 JSON of record <paramref name="record"/> (0-based).</summary>
    public abstract byte[] ReadBytes(long record);

    /// <summary>Record <paramref name="record"/> as JSON text.</summary>
    public string ReadLine(long record) => System.Text.Encoding.UTF8.GetString(ReadBytes(record));

    /// <summary>
    /// Records from <paramref name="first"/> on, as many as one bounded read gives (a block of lines, or the rest of a
    /// row group), for streaming passes: at least one while <paramref name="first"/> &lt; <see cref="Count"/>.
    /// </summary>
    internal abstract ReadOnlyMemory<byte>[] ReadBlock(long first, CancellationToken cancellationToken);

    /// <summary>How far through the file a pass is once it has read the records before <paramref name="record"/> (0..1, for progress).</summary>
    internal abstract double FractionBefore(long record);

    /// <summary>Opens <paramref name="path"/> as Parquet when it starts with Parquet's magic bytes, otherwise as jsonl.</summary>
    public static DatasetFile Open(string path, IProgress<double>? progress = null, CancellationToken cancellationToken = default) =>
        IsParquet(path) ? ParquetFile.Open(path, cancellationToken) : JsonlFile.Open(path, progress, cancellationToken);

    /// <summary>Whether <paramref name="path"/> is a Parquet file: it begins with <c>PAR1</c> (no jsonl line can).</summary>
    public static bool IsParquet(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        Span<byte> magic = stackalloc byte[4];
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return RandomAccess.Read(handle, magic, 0) == 4 && magic.SequenceEqual("PAR1"u8);
    }

    public abstract void Dispose();
}
