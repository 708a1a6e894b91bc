using System.Text;

namespace MiniMind.Engine.Evaluation;

/// <summary>RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. Yields each record with its first line number.</summary>
public static class Csv
{
    public static IEnumerable<(long Line, List<string> Fields)> Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        long line = 0;
        while (reader.ReadLine() is { } first)
        {
            line++;
            long start = line;
            if (start == 1 && first.Length > 0 && first[0] == '\uFEFF') first = first[1..];
            if (first.Length == 0) continue;
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false;
            var text = first;
            int i = 0;
            while (true)
            {
                if (i == text.Length)
                {
                    if (!quoted) break;
                    var next = reader.ReadLine() ?? throw new InvalidDataException($"{path}:{start}: a quoted field is never closed.");
                    line++;
                    field.Append('\n');
                    text = next;
                    i = 0;
                    continue;
                }
                char c = text[i++];
                if (quoted)
                {
                    if (c != '"') field.Append(c);
                    else if (i < text.Length && text[i] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else if (c == '"' && field.Length == 0) quoted = true;
                else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
                else field.Append(c);
            }
            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }
}
