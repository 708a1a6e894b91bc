using System.Globalization;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>Jinja's built-in filters used by chat templates, with HuggingFace's <c>tojson</c>.</summary>
static class Filters
{
    static readonly Dictionary<string, Func<object?, CallArgs, object?>> All = new()
    {
        ["length"] = (v, _) => Values.Length(v),
        ["count"] = (v, _) => Values.Length(v),
        ["string"] = (v, _) => PyFormat.Str(v),
        ["trim"] = (v, a) => PyString.Strip(PyFormat.Str(v), a.Get(0, "chars") as string, left: true, right: true),
        ["upper"] = (v, _) => PyFormat.Str(v).ToUpperInvariant(),
        ["lower"] = (v, _) => PyFormat.Str(v).ToLowerInvariant(),
        ["title"] = (v, _) => PyString.JinjaTitle(PyFormat.Str(v)),
        ["capitalize"] = (v, _) => PyString.Capitalize(PyFormat.Str(v)),
        ["replace"] = (v, a) => PyString.Replace(PyFormat.Str(v), PyFormat.Str(a.Required(0, "old", "replace")),
            PyFormat.Str(a.Required(1, "new", "replace")), a.Get(2, "count") is long n ? n : -1),
        ["safe"] = (v, _) => v,
        ["escape"] = (v, _) => Escape(v),
        ["e"] = (v, _) => Escape(v),
        ["tojson"] = ToJson,
        ["default"] = Default,
        ["d"] = Default,
        ["join"] = (v, a) => string.Join(PyFormat.Str(a.Get(0, "d", "")), Pluck(Values.Iterate(v), a.Get(1, "attribute")).Select(PyFormat.Str)),
        ["first"] = (v, _) => Values.Iterate(v) is [var first, ..] ? first : Undefined.Variable("first item"),
        ["last"] = (v, _) => Values.Iterate(v) is [.., var last] ? last : Undefined.Variable("last item"),
        ["list"] = (v, _) => Values.Iterate(v).ToList(),
        ["reverse"] = (v, _) => v is string s ? string.Concat(PyString.Characters(s).AsEnumerable().Reverse()) : Values.Iterate(v).AsEnumerable().Reverse().ToList(),
        ["items"] = (v, _) => v switch
        {
            Dictionary<string, object?> dict => Methods.Items(dict),
            Undefined => new List<object?>(),
            _ => throw new RuntimeFailure($"Can only get item pairs from a mapping, not {Values.TypeName(v)}"),
        },
        ["int"] = ToInt,
        ["float"] = ToFloat,
        ["abs"] = (v, _) => v is long l ? (object)Math.Abs(l) : Math.Abs(Values.ToDouble(v)),
        ["round"] = Round,
        ["sum"] = (v, a) => Pluck(Values.Iterate(v), a.Get(0, "attribute")).Aggregate(a.Get(1, "start", 0L), (acc, x) => Operators.Binary("+", acc, x)),
        ["min"] = (v, a) => Sorted(v, a, attributeIndex: 1).FirstOrDefault(Undefined.Variable("min of empty sequence")),
        ["max"] = (v, a) => Sorted(v, a, attributeIndex: 1).LastOrDefault(Undefined.Variable("max of empty sequence")),
        ["sort"] = (v, a) => a.Get(0, "reverse") is true ? Sorted(v, a, 2).AsEnumerable().Reverse().ToList() : Sorted(v, a, 2),
        ["unique"] = (v, _) => Values.Iterate(v).Aggregate(new List<object?>(), (seen, x) =>
        {
            if (!seen.Any(s => Values.AreEqual(s, x))) seen.Add(x);
            return seen;
        }),
        ["indent"] = Indent,
        ["map"] = Map,
        ["select"] = (v, a) => SelectByTest(v, a, keep: true, byAttribute: false),
        ["reject"] = (v, a) => SelectByTest(v, a, keep: false, byAttribute: false),
        ["selectattr"] = (v, a) => SelectByTest(v, a, keep: true, byAttribute: true),
        ["rejectattr"] = (v, a) => SelectByTest(v, a, keep: false, byAttribute: true),
    };

    public static bool Exists(string name) => All.ContainsKey(name);

    public static object? Apply(string name, object? value, CallArgs args) =>
        All.TryGetValue(name, out var filter) ? filter(value, args) : throw new RuntimeFailure($"Unsupported filter '{name}'");

    static object? ToJson(object? value, CallArgs args)
    {
        (string, string)? separators = null;
        if (args.Get(2, "separators") is { } given)
        {
            separators = given is List<object?> { Count: 2 } pair && pair[0] is string item && pair[1] is string key
                ? (item, key)
                : throw new RuntimeFailure("tojson separators must be a pair of strings");
        }
        return PyJson.Serialize(value, args.Get(1, "indent"), separators,
            ensureAscii: Values.IsTruthy(args.Get(0, "ensure_ascii", false)), sortKeys: Values.IsTruthy(args.Get(3, "sort_keys", false)));
    }

    static object? Default(object? value, CallArgs args)
    {
        var useDefault = value is Undefined || (Values.IsTruthy(args.Get(1, "boolean", false)) && !Values.IsTruthy(value));
        return useDefault ? args.Get(0, "default_value", "") : value;
    }

    /// <summary>MarkupSafe's escaping (not WebUtility's, which also encodes non-ASCII letters).</summary>
    static string Escape(object? value) => PyFormat.Str(value)
        .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;");

    static object? ToInt(object? value, CallArgs args)
    {
        var fallback = args.Get(0, "default", 0L);
        return value switch
        {
            long or bool => value is bool b ? (b ? 1L : 0L) : value,
            double d => double.IsFinite(d) ? (long)Math.Truncate(d) : fallback,
            string s when long.TryParse(s.Trim().Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
            string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => (long)Math.Truncate(d),
            _ => fallback,
        };
    }

    static object? ToFloat(object? value, CallArgs args) => value switch
    {
        long or double or bool => Values.ToDouble(value),
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => args.Get(0, "default", 0.0),
    };

    static object? Round(object? value, CallArgs args)
    {
        var precision = (int)(args.Get(0, "precision", 0L) as long? ?? 0);
        var number = Values.ToDouble(value);
        var scale = Math.Pow(10, precision);
        return PyFormat.Str(args.Get(1, "method", "common")) switch
        {
            // Python's round() rounds halves to even.
            "common" => Math.Round(number, precision, MidpointRounding.ToEven),
            "floor" => Math.Floor(number * scale) / scale,
            "ceil" => Math.Ceiling(number * scale) / scale,
            var method => throw new RuntimeFailure($"round method must be 'common', 'ceil' or 'floor', not '{method}'"),
        };
    }

    static List<object?> Sorted(object? value, CallArgs args, int attributeIndex)
    {
        var caseSensitive = Values.IsTruthy(args.Get(attributeIndex - 1, "case_sensitive", false));
        var attribute = args.Get(attributeIndex, "attribute");
        object? Key(object? item)
        {
            var key = attribute == null ? item : AttributePath(item, attribute);
            return !caseSensitive && key is string s ? s.ToLowerInvariant() : key;
        }
        var items = Values.Iterate(value).ToList();
        // List.Sort is unstable; Python's sort is stable, so order by (key, original index).
        return items.Select((item, index) => (item, index))
            .OrderBy(p => p, Comparer<(object? Item, int Index)>.Create((x, y) =>
            {
                var byKey = Values.Compare(Key(x.Item), Key(y.Item));
                return byKey != 0 ? byKey : x.Index.CompareTo(y.Index);
            }))
            .Select(p => p.item)
            .ToList();
    }

    static string Indent(object? value, CallArgs args)
    {
        var width = args.Get(0, "width", 4L);
        var indentation = width is long n ? new string(' ', (int)n) : PyFormat.Str(width);
        var lines = PyFormat.Str(value).Split('\n');
        var blank = Values.IsTruthy(args.Get(2, "blank", false));
        var body = string.Join("\n", lines.Select((line, i) =>
            i == 0 || (!blank && line.Length == 0) ? line : indentation + line));
        return Values.IsTruthy(args.Get(1, "first", false)) ? indentation + body : body;
    }

    static List<object?> Map(object? value, CallArgs args)
    {
        var items = Values.Iterate(value);
        if (args.Keywords.TryGetValue("attribute", out var attribute))
        {
            var fallback = args.Keywords.GetValueOrDefault("default");
            return items.Select(item => AttributePath(item, attribute) is Undefined && args.Keywords.ContainsKey("default")
                ? fallback
                : AttributePath(item, attribute)).ToList();
        }
        var filter = args.Required(0, "filter", "map") as string ?? throw new RuntimeFailure("map() needs a filter name or attribute=");
        var rest = new CallArgs(args.Positional.Skip(1).ToList(), args.Keywords);
        return items.Select(item => Apply(filter, item, rest)).ToList();
    }

    static List<object?> SelectByTest(object? value, CallArgs args, bool keep, bool byAttribute)
    {
        var offset = byAttribute ? 1 : 0;
        var attribute = byAttribute ? args.Required(0, "attribute", "selectattr") : null;
        var test = args.Positional.Count > offset ? PyFormat.Str(args.Positional[offset]) : null;
        var testArgs = new CallArgs(args.Positional.Skip(offset + 1).ToList(), args.Keywords);
        return Values.Iterate(value).Where(item =>
        {
            var subject = byAttribute ? AttributePath(item, attribute) : item;
            var passed = test == null ? Values.IsTruthy(subject) : Tests.Apply(test, subject, testArgs);
            return passed == keep;
        }).ToList();
    }

    static IEnumerable<object?> Pluck(IEnumerable<object?> items, object? attribute) =>
        attribute == null ? items : items.Select(item => AttributePath(item, attribute));

    /// <summary>Jinja's attribute getter: "a.b.0" walks item lookups, digits index lists.</summary>
    static object? AttributePath(object? item, object? path)
    {
        if (path is not string dotted) return Access.GetItem(item, path);
        foreach (var part in dotted.Split('.'))
        {
            item = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? Access.GetItem(item, index)
                : Access.GetItem(item, part);
        }
        return item;
    }
}
