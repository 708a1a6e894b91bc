namespace MiniMind.Engine.Data;

/// <summary>
/// Streams every record of a jsonl file through a per-record function on several threads and hands the results to a
/// consumer in file order. Lines are read in blocks of bounded size, so memory stays at a few blocks whatever the file size.
/// </summary>
public static class RecordScanner
{
    const int BlockLines = 2048;
    const long BlockBytes = 8L << 20;

    /// <summary>What one line gave: its record (or null), its problem (or null), and the mapped value.</summary>
    public readonly record struct Item<T>(long Line, DataRecord? Record, DataProblem? Problem, T? Value);

    /// <summary>
    /// Parses each line as <paramref name="kind"/>, applies <paramref name="map"/> to the valid records in parallel, and calls
    /// <paramref name="consume"/> for every line in order. A <paramref name="map"/> that throws an expected data error turns
    /// into a problem for that line, never a crash.
    /// </summary>
    public static void Scan<T>(JsonlFile file, DatasetKind kind, Func<DataRecord, T> map, Action<Item<T>> consume,
        int threads = 0, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        var items = new Item<T>[BlockLines];
        long line = 0;
        var total = Math.Max(1, file.Index.StartOf(file.Count));
        while (line < file.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lines = ReadBlock(file, line, out var count);
            var first = line;
            Parallel.For(0, count, options, i =>
            {
                var number = first + i + 1;
                var record = RecordParser.Parse(lines[i], kind, file.Path, number, out var problem);
                T? value = default;
                if (record is not null)
                {
                    try
                    {
                        value = map(record);
                    }
                    catch (Exception e) when (e is InvalidDataException or ArgumentException or InvalidOperationException)
                    {
                        problem = new DataProblem(file.Path, number, "$", e.Message);
                        record = null;
                    }
                }
                items[i] = new Item<T>(number, record, problem, value);
            });
            for (var i = 0; i < count; i++) consume(items[i]);
            Array.Clear(items, 0, count);
            line += count;
            progress?.Report((double)file.Index.StartOf(line) / total);
        }
    }

    /// <summary>Reads lines from <paramref name="first"/> in one positioned read: up to <see cref="BlockLines"/> lines or about <see cref="BlockBytes"/>.</summary>
    static ReadOnlyMemory<byte>[] ReadBlock(JsonlFile file, long first, out int count)
    {
        var start = file.Index.StartOf(first);
        count = 1;
        while (count < BlockLines && first + count < file.Count && file.Index.StartOf(first + count + 1) - start <= BlockBytes) count++;
        var end = file.Index.StartOf(first + count);
        var bytes = file.ReadRange(start, end - start);
        var lines = new ReadOnlyMemory<byte>[count];
        for (var i = 0; i < count; i++)
        {
            var from = (int)(file.Index.StartOf(first + i) - start);
            var to = (int)(file.Index.StartOf(first + i + 1) - start);
            if (to > from && bytes[to - 1] == '\n') to--;
            if (to > from && bytes[to - 1] == '\r') to--;
            lines[i] = bytes.AsMemory(from, to - from);
        }
        return lines;
    }
}
