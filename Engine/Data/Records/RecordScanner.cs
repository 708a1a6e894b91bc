namespace MiniMind.Engine.Data;

/// <summary>
/// Streams every record of a dataset file through a per-record function on several threads and hands the results to a
/// consumer in file order. Records are read in blocks of bounded size (a few thousand lines, or one Parquet row group),
/// so memory stays at a block or two whatever the file size.
/// </summary>
public static class RecordScanner
{
    /// <summary>What one line gave: its record (or null), its problem (or null), and the mapped value.</summary>
    public readonly record struct Item<T>(long Line, DataRecord? Record, DataProblem? Problem, T? Value);

    /// <summary>
    /// Parses each line as <paramref name="kind"/>, applies <paramref name="map"/> to the valid records in parallel, and calls
    /// <paramref name="consume"/> for every line in order. A <paramref name="map"/> that throws an expected data error turns
    /// into a problem for that line, never a crash.
    /// </summary>
    public static void Scan<T>(DatasetFile file, DatasetKind kind, Func<DataRecord, T> map, Action<Item<T>> consume,
        int threads = 0, IProgress<double>? progress = null, CancellationToken cancellationToken = default) =>
        Scan(file, kind, (record, _) => map(record), consume, threads, progress, cancellationToken);

    /// <summary>As above, with the record's line (1-based) passed to <paramref name="map"/>.</summary>
    public static void Scan<T>(DatasetFile file, DatasetKind kind, Func<DataRecord, long, T> map, Action<Item<T>> consume,
        int threads = 0, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        var items = Array.Empty<Item<T>>();
        long line = 0;
        while (line < file.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lines = file.ReadBlock(line, cancellationToken);
            var count = lines.Length;
            if (items.Length < count) items = new Item<T>[count];
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
                        value = map(record, number);
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
            progress?.Report(file.FractionBefore(line));
        }
    }
}
