namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// Attribute (<c>a.b</c>) and item (<c>a[b]</c>) lookup as in Jinja's sandbox: a dict's methods
/// win over its keys for attribute syntax, anything missing is undefined, and only an undefined
/// target is an error.
/// </summary>
static class Access
{
    public static object? GetAttribute(object? target, string name) => target switch
    {
        Undefined u => throw u.Fail(),
        Dictionary<string, object?> dict when Methods.IsMethod(dict, name) => new BoundMethod(dict, name),
        Dictionary<string, object?> dict => dict.TryGetValue(name, out var value) ? value : Undefined.Member(dict, name),
        string s when Methods.IsMethod(s, name) => new BoundMethod(s, name),
        Namespace ns => ns.Attributes.TryGetValue(name, out var value) ? value : Undefined.Member(ns, name),
        LoopInfo loop => loop.Attribute(name),
        _ => Undefined.Member(target, name),
    };

    public static object? GetItem(object? target, object? key)
    {
        switch (target, key)
        {
            case (Undefined u, _):
                throw u.Fail();
            case (_, SliceValue slice):
                return Slice(target, slice);
            case (Dictionary<string, object?> dict, string name):
                return dict.TryGetValue(name, out var value) ? value : Undefined.Member(dict, name);
            case (List<object?> list, long or bool):
                return ElementAt(list, key) is { } index ? list[index] : Undefined.Member(list, key);
            case (string s, long or bool):
                var characters = PyString.Characters(s);
                return ElementAt(characters, key) is { } at ? characters[at] : Undefined.Member(s, key);
            case (_, string attribute):
                // Jinja falls back from item to attribute lookup: ns['x'], loop['index'].
                return GetAttribute(target, attribute);
            default:
                return Undefined.Member(target, key);
        }
    }

    static int? ElementAt<T>(IReadOnlyList<T> items, object? key)
    {
        var index = (long)Values.ToDouble(key);
        if (index < 0) index += items.Count;
        return index >= 0 && index < items.Count ? (int)index : null;
    }

    static object? Slice(object? target, SliceValue slice) => target switch
    {
        List<object?> list => slice.Apply(list),
        string s => string.Concat(slice.Apply(PyString.Characters(s))),
        _ => throw new RuntimeFailure($"'{Values.TypeName(target)}' object is not subscriptable"),
    };
}

/// <summary>An evaluated <c>[start:stop:step]</c>, with Python's index normalisation.</summary>
sealed record SliceValue(long? Start, long? Stop, long? Step)
{
    public List<T> Apply<T>(IReadOnlyList<T> items)
    {
        var step = Step ?? 1;
        if (step == 0) throw new RuntimeFailure("slice step cannot be zero");
        long count = items.Count;
        long start, stop;
        if (step > 0)
        {
            start = Clamp(Start, count, 0, 0, count);
            stop = Clamp(Stop, count, count, 0, count);
        }
        else
        {
            start = Clamp(Start, count, count - 1, -1, count - 1);
            stop = Clamp(Stop, count, -1, -1, count - 1);
        }

        var result = new List<T>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step) result.Add(items[(int)i]);
        return result;
    }

    static long Clamp(long? index, long count, long fallback, long low, long high)
    {
        if (index is not { } value) return fallback;
        if (value < 0) value += count;
        return Math.Clamp(value, low, high);
    }
}
