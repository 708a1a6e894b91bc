using System.Globalization;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>Global functions: Jinja's <c>range</c>, <c>namespace</c>, <c>dict</c>, and HuggingFace's <c>raise_exception</c>, <c>strftime_now</c>.</summary>
static class Globals
{
    public static Scope Create()
    {
        var scope = new Scope(null);
        foreach (var function in new[]
        {
            new BuiltinFunction("range", Range),
            new BuiltinFunction("namespace", args => new Namespace(KeywordDictionary(args))),
            new BuiltinFunction("dict", args => KeywordDictionary(args)),
            new BuiltinFunction("raise_exception", args => throw new TemplateException(PyFormat.Str(args.Get(0, "message")))),
            new BuiltinFunction("strftime_now", args => StrfTime.Format(DateTime.Now, PyFormat.Str(args.Required(0, "format", "strftime_now")))),
        })
        {
            scope.Set(function.Name, function);
        }
        return scope;
    }

    static List<object?> Range(CallArgs args)
    {
        var numbers = args.Positional.Select(a => a is long l ? l : throw new RuntimeFailure("range() arguments must be integers")).ToList();
        var (start, stop, step) = numbers.Count switch
        {
            1 => (0L, numbers[0], 1L),
            2 => (numbers[0], numbers[1], 1L),
            3 => (numbers[0], numbers[1], numbers[2]),
            _ => throw new RuntimeFailure("range() takes 1 to 3 arguments"),
        };
        if (step == 0) throw new RuntimeFailure("range() arg 3 must not be zero");
        var result = new List<object?>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step) result.Add(i);
        return result;
    }

    /// <summary>namespace(dict, key=value, ...) and dict(...): an optional mapping then keywords.</summary>
    static Dictionary<string, object?> KeywordDictionary(CallArgs args)
    {
        var result = args.Positional is [Dictionary<string, object?> initial] ? new Dictionary<string, object?>(initial) : [];
        foreach (var (key, value) in args.Keywords) result[key] = value;
        return result;
    }
}

/// <summary>The common C <c>strftime</c> directives, for HuggingFace's <c>strftime_now</c>.</summary>
static class StrfTime
{
    public static string Format(DateTime time, string format)
    {
        var culture = CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            var directive = format[++i];
            sb.Append(directive switch
            {
                'Y' => time.ToString("yyyy", culture),
                'y' => time.ToString("yy", culture),
                'm' => time.ToString("MM", culture),
                'd' => time.ToString("dd", culture),
                '-' when i + 1 < format.Length && format[i + 1] == 'd' => time.Day.ToString(culture) + Skip(ref i),
                'H' => time.ToString("HH", culture),
                'I' => time.ToString("hh", culture),
                'M' => time.ToString("mm", culture),
                'S' => time.ToString("ss", culture),
                'p' => time.ToString("tt", culture),
                'b' => time.ToString("MMM", culture),
                'B' => time.ToString("MMMM", culture),
                'a' => time.ToString("ddd", culture),
                'A' => time.ToString("dddd", culture),
                'j' => time.DayOfYear.ToString("000", culture),
                '%' => "%",
                _ => "%" + directive,
            });
        }
        return sb.ToString();
    }

    static string Skip(ref int i)
    {
        i++;
        return "";
    }
}
