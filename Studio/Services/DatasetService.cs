using MiniMind.Engine.Data;

namespace MiniMind.Studio.Services;

/// <summary>
/// What the Datasets pages read of a file, as the other pages have a service for theirs: a record browser over an opened
/// file, text search, validation and statistics. Each runs off the circuit's thread and stops when cancelled; the
/// list of files and uploads are <see cref="DatasetCatalog"/>'s.
/// </summary>
public sealed class DatasetService(TokenizerCache tokenizers)
{
    /// <summary>One line (1-based) of an opened file: its record, or the problem that kept it from being one, and its raw text.</summary>
    public sealed record RecordLine(long Line, DataRecord? Record, DataProblem? Problem, string Raw);

    /// <summary>A file opened for browsing (indexed once: seconds for a multi-GB jsonl, a parquet file opens from its footer).</summary>
    public sealed class OpenedFile(DatasetFile file, DatasetKind kind, string displayName) : IDisposable
    {
        public long Count => file.Count;
        public string RecordNoun => file.RecordNoun;

        /// <summary>The record at <paramref name="index"/> (0-based), parsed as the file's kind; problems are named as file:line.</summary>
        public RecordLine Read(long index)
        {
            var bytes = file.ReadBytes(index);
            var record = RecordParser.Parse(bytes, kind, displayName, index + 1, out var problem);
            return new RecordLine(index + 1, record, problem, System.Text.Encoding.UTF8.GetString(bytes));
        }

        public void Dispose() => file.Dispose();
    }

    public Task<OpenedFile> OpenAsync(DatasetEntry entry, DatasetKind kind, CancellationToken cancel) =>
        Task.Run(() => new OpenedFile(DatasetFile.Open(entry.Path, cancellationToken: cancel), kind, entry.DisplayName), cancel);

    /// <summary>
    /// Records whose text holds <paramref name="text"/> (any case), at most <paramref name="limit"/>: the record's string values
    /// are searched, not its JSON (so "text" or "role" does not match every line); a line that is not JSON is searched as it
    /// is. Each match comes with the text around it, split at the match for highlighting.
    /// </summary>
    public Task Search(string path, string text, int limit, Action<SearchHit> match, Action<long, long, string> progress, CancellationToken cancel) =>
        Task.Run(() =>
        {
            using var file = DatasetFile.Open(path, cancellationToken: cancel);
            int found = 0;
            long scanned = 0;
            var lastReport = DateTime.UtcNow;
            for (; scanned < file.Count && found < limit; scanned++)
            {
                cancel.ThrowIfCancellationRequested();
                if (Hit(file.ReadLine(scanned), text, scanned + 1) is { } hit)
                {
                    match(hit);
                    found++;
                }
                if (DateTime.UtcNow - lastReport > TimeSpan.FromMilliseconds(200))
                {
                    lastReport = DateTime.UtcNow;
                    progress(scanned + 1, file.Count, file.RecordNoun);
                }
            }
            progress(scanned, file.Count, file.RecordNoun); // where it stopped: the end, or the limit
        }, cancel);

    /// <summary>The match of <paramref name="text"/> in a record's text with what surrounds it, or null.</summary>
    static SearchHit? Hit(string line, string text, long number)
    {
        // the values hold the text only if the line does (or it escapes characters): most lines are skipped unparsed
        if (line.IndexOf(text, StringComparison.OrdinalIgnoreCase) < 0 && !line.Contains('\\')) return null;
        var values = ValuesOf(line);
        var at = values.IndexOf(text, StringComparison.OrdinalIgnoreCase);
        if (at < 0) return null;
        var occurrences = 0;
        for (var i = at; i >= 0; i = values.IndexOf(text, i + text.Length, StringComparison.OrdinalIgnoreCase)) occurrences++;
        // the text around the first match, every match in it marked
        var from = Math.Max(0, at - 40);
        var to = Math.Min(values.Length, at + text.Length + 60);
        var pieces = new List<SearchPiece>();
        if (from > 0) pieces.Add(new("…", false));
        for (var i = from; i < to;)
        {
            var next = values.IndexOf(text, i, StringComparison.OrdinalIgnoreCase);
            if (next < 0 || next + text.Length > to)
            {
                pieces.Add(new(values[i..to], false));
                break;
            }
            if (next > i) pieces.Add(new(values[i..next], false));
            pieces.Add(new(values.Substring(next, text.Length), true));
            i = next + text.Length;
        }
        if (to < values.Length) pieces.Add(new("…", false));
        return new SearchHit(number, pieces, occurrences);
    }

    /// <summary>A record's string values (any depth, roles left out), joined with ⏎, as a person reads the record; the line itself if it is not JSON.</summary>
    static string ValuesOf(string line)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(line);
            var values = new List<string>();
            void Walk(System.Text.Json.JsonElement e)
            {
                switch (e.ValueKind)
                {
                    case System.Text.Json.JsonValueKind.String: values.Add(e.GetString()!); break;
                    case System.Text.Json.JsonValueKind.Array: foreach (var item in e.EnumerateArray()) Walk(item); break;
                    // a message's role (user, assistant) is in every conversation line: not text to find
                    case System.Text.Json.JsonValueKind.Object: foreach (var p in e.EnumerateObject()) if (p.Name != "role") Walk(p.Value); break;
                    default: break;
                }
            }
            Walk(document.RootElement);
            return string.Join(" ⏎ ", values).ReplaceLineEndings(" ");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return line;
        }
    }

    /// <summary>Every bad record (the first <paramref name="limit"/> reported), as <c>dataset validate</c> finds them.</summary>
    public Task<DataStats> Validate(string path, DatasetKind? kind, Action<DataProblem> problem, long limit, CancellationToken cancel) =>
        Task.Run(() => DatasetAnalyzer.Validate(path, kind, problem, limit, cancel), cancel);

    /// <summary>Lengths (in the tokens of the tokenizer in <paramref name="tokenizerFolder"/>, the studio's by default) and turns, as <c>dataset stats</c> computes them.</summary>
    public Task<DatasetStatistics> Analyze(string path, DatasetKind? kind, string? tokenizerFolder, int maxSeqLen, IProgress<double> progress, CancellationToken cancel)
    {
        var tokenizer = tokenizers.Get(tokenizerFolder);
        return Task.Run(() => DatasetAnalyzer.Analyze(path, kind, tokenizer, maxSeqLen, progress, cancel), cancel);
    }

    /// <summary>"row" for parquet, "line" for jsonl.</summary>
    public static string RecordNounOf(string path) => DatasetFile.IsParquet(path) ? "row" : "line";
}

/// <summary>A search match: its line (or row), and the text around the match split at it (before, the match, after).</summary>
/// <summary>A record that holds the searched text: the text around its first match (every match in it marked) and how often it occurs in the record.</summary>
public sealed record SearchHit(long Line, IReadOnlyList<SearchPiece> Pieces, int Occurrences);

/// <summary>A piece of a hit's text, marked when it is the searched text.</summary>
public sealed record SearchPiece(string Text, bool IsMatch);
