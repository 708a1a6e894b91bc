namespace MiniMind.Engine.ChatTemplates;

/// <summary>Python semantics for truthiness, equality, ordering, length and iteration.</summary>
static class Values
{
    public static bool IsTruthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        Dictionary<string, object?> dict => dict.Count > 0,
        _ => true,
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        Dictionary<string, object?> => "dict",
        Namespace => "Namespace",
        LoopInfo => "LoopContext",
        Undefined => "Undefined",
        ICallable => "function",
        _ => value.GetType().Name,
    };

    public static bool AreEqual(object? left, object? right)
    {
        if (left is Undefined || right is Undefined) return left is Undefined && right is Undefined;
        if (IsNumber(left) && IsNumber(right)) return ToDouble(left) == ToDouble(right);
        return (left, right) switch
        {
            (null, null) => true,
            (string a, string b) => a == b,
            (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(p => AreEqual(p.First, p.Second)),
            (Dictionary<string, object?> a, Dictionary<string, object?> b) =>
                a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && AreEqual(p.Value, v)),
            _ => ReferenceEquals(left, right),
        };
    }

    /// <summary>Ordering for &lt; &gt; and sorting: numbers, strings (ordinal) and lists.</summary>
    public static int Compare(object? left, object? right)
    {
        if (IsNumber(left) && IsNumber(right)) return ToDouble(left).CompareTo(ToDouble(right));
        switch (left, right)
        {
            case (string a, string b):
                return string.CompareOrdinal(a, b);
            case (List<object?> a, List<object?> b):
                foreach (var (x, y) in a.Zip(b))
                {
                    if (!AreEqual(x, y)) return Compare(x, y);
                }
                return a.Count.CompareTo(b.Count);
        }
        if (left is Undefined u) throw u.Fail();
        if (right is Undefined v) throw v.Fail();
        throw new RuntimeFailure($"'<' not supported between instances of '{TypeName(left)}' and '{TypeName(right)}'");
    }

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new RuntimeFailure($"Expected a number, got '{TypeName(value)}'"),
    };

    public static long Length(object? value) => value switch
    {
        string s => PyString.Length(s),
        List<object?> list => list.Count,
        Dictionary<string, object?> dict => dict.Count,
        Undefined => 0,
        _ => throw new RuntimeFailure($"object of type '{TypeName(value)}' has no len()"),
    };

    /// <summary>Python iteration: lists by item, dicts by key, strings by character; undefined is empty.</summary>
    public static List<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        Dictionary<string, object?> dict => dict.Keys.Cast<object?>().ToList(),
        string s => PyString.Characters(s).Cast<object?>().ToList(),
        Undefined => [],
        _ => throw new RuntimeFailure($"'{TypeName(value)}' object is not iterable"),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        string => throw new RuntimeFailure($"'in <string>' requires string as left operand, not {TypeName(item)}"),
        Dictionary<string, object?> dict => item is string key && dict.ContainsKey(key),
        _ => Iterate(container).Any(x => AreEqual(x, item)),
    };
}
