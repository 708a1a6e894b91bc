using System.Text;
using System.Text.Json;

namespace MiniMind.Engine.Evaluation;

/// <summary>
/// Reads multiple-choice benchmarks in the public formats: C-Eval / CMMLU CSV (<c>id?,question,A,B,C,D,answer</c>;
/// the subject from the file name, as those datasets ship one CSV per subject) and a generic jsonl
/// <c>{"question", "choices": [...], "answer": "B" or 1, "subject"?}</c>. Bad rows are errors naming file and line.
/// </summary>
public static class BenchmarkLoader
{
    public static IReadOnlyList<MultipleChoiceItem> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Benchmark file not found: {path}", path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => LoadCsv(path),
            ".jsonl" or ".json" => LoadJsonl(path),
            var ext => throw new ArgumentException($"{path}: unknown benchmark format \"{ext}\" (expected .csv like C-Eval/CMMLU, or .jsonl)."),
        };
    }

    public static IReadOnlyList<MultipleChoiceItem> LoadCsv(string path)
    {
        var subject = SubjectFromFileName(path);
        var rows = Csv.Read(path).ToList();
        if (rows.Count == 0) throw new InvalidDataException($"{path}: empty file.");
        var header = rows[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Column(string name) => header.IndexOf(name) is var i and >= 0 ? i
            : throw new InvalidDataException($"{path}:1: the header lacks a \"{name}\" column (expected question,A,B,C,D,answer).");
        int question = Column("question"), answer = Column("answer");
        var letters = header.Select((h, i) => (h, i)).Where(p => p.h.Length == 1 && p.h[0] is >= 'a' and <= 'z').OrderBy(p => p.h).ToList();
        if (letters.Count < 2) throw new InvalidDataException($"{path}:1: the header has no option columns A, B, ...");
        var items = new List<MultipleChoiceItem>();
        foreach (var (line, fields) in rows.Skip(1))
        {
            if (fields.Count != header.Count)
                throw new InvalidDataException($"{path}:{line}: {fields.Count} fields, the header has {header.Count}.");
            var choices = letters.Select(l => fields[l.i]).ToList();
            items.Add(new MultipleChoiceItem(subject, fields[question], choices, ParseAnswer(fields[answer], choices.Count, path, line)));
        }
        return items;
    }

    public static IReadOnlyList<MultipleChoiceItem> LoadJsonl(string path)
    {
        var items = new List<MultipleChoiceItem>();
        int line = 0;
        foreach (var raw in File.ReadLines(path, Encoding.UTF8))
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            JsonElement root;
            try { root = JsonDocument.Parse(raw).RootElement; }
            catch (JsonException e) { throw new InvalidDataException($"{path}:{line}: malformed JSON ({e.Message}).", e); }
            string Text(string field) => root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw new InvalidDataException($"{path}:{line}: {field}: expected a string.");
            if (!root.TryGetProperty("choices", out var choicesJson) || choicesJson.ValueKind != JsonValueKind.Array || choicesJson.GetArrayLength() < 2
                || choicesJson.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
                throw new InvalidDataException($"{path}:{line}: choices: expected an array of at least two strings.");
            var choices = choicesJson.EnumerateArray().Select(c => c.GetString()!).ToList();
            if (!root.TryGetProperty("answer", out var answerJson))
                throw new InvalidDataException($"{path}:{line}: answer: missing.");
            char answer = answerJson.ValueKind == JsonValueKind.Number
                ? (answerJson.GetInt32() is var i && i >= 0 && i < choices.Count ? (char)('A' + i)
                    : throw new InvalidDataException($"{path}:{line}: answer: index {answerJson.GetInt32()} is outside the {choices.Count} choices."))
                : ParseAnswer(answerJson.ValueKind == JsonValueKind.String ? answerJson.GetString()! : "", choices.Count, path, line);
            var subject = root.TryGetProperty("subject", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : SubjectFromFileName(path);
            items.Add(new MultipleChoiceItem(subject, Text("question"), choices, answer));
        }
        if (items.Count == 0) throw new InvalidDataException($"{path}: no questions.");
        return items;
    }

    static char ParseAnswer(string raw, int choices, string path, long line)
    {
        var a = raw.Trim().ToUpperInvariant();
        if (a.Length == 1 && a[0] >= 'A' && a[0] < 'A' + choices) return a[0];
        throw new InvalidDataException($"{path}:{line}: answer: \"{raw}\" is not one of {string.Join(", ", Enumerable.Range(0, choices).Select(MultipleChoiceItem.Letter))}.");
    }

    /// <summary>C-Eval names files <c>&lt;subject&gt;_val.csv</c> / <c>_test.csv</c> / <c>_dev.csv</c>; CMMLU <c>&lt;subject&gt;.csv</c>.</summary>
    static string SubjectFromFileName(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        foreach (var suffix in new[] { "_val", "_test", "_dev" })
            if (name.EndsWith(suffix, StringComparison.Ordinal)) return name[..^suffix.Length];
        return name;
    }
}
