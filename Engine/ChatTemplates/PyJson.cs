using System.Globalization;
using System.Text;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// Python's <c>json.dumps</c>, which HuggingFace installs as the <c>tojson</c> filter with
/// <c>ensure_ascii=False</c>: separators ", " and ": " (or "," and ": " when indenting),
/// non-ASCII text kept as is, keys in insertion order unless sorted.
/// </summary>
sealed class PyJson
{
    readonly string? _indent;
    readonly string itemSeparator;
    readonly string keySeparator;
    readonly bool _ensureAscii;
    readonly bool _sortKeys;
    readonly StringBuilder _out = new();

    PyJson(string? indent, (string Item, string Key)? separators, bool ensureAscii, bool sortKeys)
    {
        _indent = indent;
        (itemSeparator, keySeparator) = separators ?? (indent == null ? (", ", ": ") : (",", ": "));
        _ensureAscii = ensureAscii;
        _sortKeys = sortKeys;
    }

    public static string Serialize(object? value, object? indent = null, (string, string)? separators = null,
        bool ensureAscii = false, bool sortKeys = false)
    {
        var indentText = indent switch
        {
            null => null,
            long n => new string(' ', (int)Math.Max(0, n)),
            string s => s,
            _ => throw new RuntimeFailure("tojson indent must be an integer or a string"),
        };
        var writer = new PyJson(indentText, separators, ensureAscii, sortKeys);
        writer.Write(value, 0);
        return writer._out.ToString();
    }

    void Write(object? value, int level)
    {
        switch (value)
        {
            case null: _out.Append("null"); break;
            case bool b: _out.Append(b ? "true" : "false"); break;
            case long l: _out.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: _out.Append(FloatJson(d)); break;
            case string s: WriteString(s); break;
            case List<object?> list: WriteContainer('[', ']', list, level, item => Write(item, level + 1)); break;
            case Dictionary<string, object?> dict:
                var entries = _sortKeys ? dict.OrderBy(p => p.Key, StringComparer.Ordinal).ToList() : dict.ToList();
                WriteContainer('{', '}', entries, level, entry =>
                {
                    WriteString(entry.Key);
                    _out.Append(keySeparator);
                    Write(entry.Value, level + 1);
                });
                break;
            case Undefined u: throw u.Fail();
            default: throw new RuntimeFailure($"Object of type {Values.TypeName(value)} is not JSON serializable");
        }
    }

    void WriteContainer<T>(char open, char close, IReadOnlyList<T> items, int level, Action<T> writeItem)
    {
        _out.Append(open);
        if (items.Count == 0)
        {
            _out.Append(close);
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) _out.Append(itemSeparator);
            NewLine(level + 1);
            writeItem(items[i]);
        }
        NewLine(level);
        _out.Append(close);
    }

    void NewLine(int level)
    {
        if (_indent == null) return;
        _out.Append('\n');
        for (var i = 0; i < level; i++) _out.Append(_indent);
    }

    static string FloatJson(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : PyFormat.FloatRepr(d);

    void WriteString(string s)
    {
        _out.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': _out.Append("\\\""); break;
                case '\\': _out.Append("\\\\"); break;
                case '\n': _out.Append("\\n"); break;
                case '\r': _out.Append("\\r"); break;
                case '\t': _out.Append("\\t"); break;
                case '\b': _out.Append("\\b"); break;
                case '\f': _out.Append("\\f"); break;
                default:
                    if (c < 0x20 || (_ensureAscii && c > 0x7e)) _out.Append($"\\u{(int)c:x4}");
                    else _out.Append(c);
                    break;
            }
        }
        _out.Append('"');
    }
}
