namespace MiniMind.Engine.ChatTemplates;

/// <summary>The Python <c>str</c> and <c>dict</c> methods chat templates call, e.g. <c>content.split('&lt;/think&gt;')</c>.</summary>
static class Methods
{
    static readonly Dictionary<string, Func<string, CallArgs, object?>> StringMethods = new()
    {
        ["startswith"] = (s, a) => AnyAffix(a.Required(0, "prefix", "startswith"), p => s.StartsWith(p, StringComparison.Ordinal)),
        ["endswith"] = (s, a) => AnyAffix(a.Required(0, "suffix", "endswith"), p => s.EndsWith(p, StringComparison.Ordinal)),
        ["split"] = (s, a) => PyString.Split(s, OptionalString(a.Get(0, "sep")), AsLong(a.Get(1, "maxsplit", -1L))),
        ["strip"] = (s, a) => PyString.Strip(s, OptionalString(a.Get(0, "chars")), left: true, right: true),
        ["lstrip"] = (s, a) => PyString.Strip(s, OptionalString(a.Get(0, "chars")), left: true, right: false),
        ["rstrip"] = (s, a) => PyString.Strip(s, OptionalString(a.Get(0, "chars")), left: false, right: true),
        ["upper"] = (s, _) => s.ToUpperInvariant(),
        ["lower"] = (s, _) => s.ToLowerInvariant(),
        ["title"] = (s, _) => PyString.PythonTitle(s),
        ["capitalize"] = (s, _) => PyString.Capitalize(s),
        ["replace"] = (s, a) => PyString.Replace(s, RequiredString(a, 0, "old"), RequiredString(a, 1, "new"), AsLong(a.Get(2, "count", -1L))),
        ["format"] = PyString.Format,
        ["join"] = (s, a) => string.Join(s, Values.Iterate(a.Required(0, "iterable", "join")).Select(PyFormat.Str)),
        // Python counts characters (code points), as the slices here do (PyString): not UTF-16 units, which an emoji doubles
        ["find"] = (s, a) => s.IndexOf(RequiredString(a, 0, "sub"), StringComparison.Ordinal) is var at and >= 0 ? PyString.Length(s[..at]) : -1L,
        ["count"] = (s, a) => (long)(PyString.Split(s, RequiredString(a, 0, "sub"), -1).Count - 1),
        ["isdigit"] = (s, _) => s.Length > 0 && s.All(char.IsDigit),
        ["isalpha"] = (s, _) => s.Length > 0 && s.All(char.IsLetter),
        ["isspace"] = (s, _) => s.Length > 0 && s.All(PyString.IsSpace),
    };

    static readonly Dictionary<string, Func<Dictionary<string, object?>, CallArgs, object?>> DictMethods = new()
    {
        ["items"] = (d, _) => Items(d),
        ["keys"] = (d, _) => d.Keys.Cast<object?>().ToList(),
        ["values"] = (d, _) => d.Values.ToList(),
        ["get"] = (d, a) => a.Required(0, "key", "get") is string key && d.TryGetValue(key, out var value) ? value : a.Get(1, "default"),
    };

    public static bool IsMethod(object target, string name) => target switch
    {
        string => StringMethods.ContainsKey(name),
        Dictionary<string, object?> => DictMethods.ContainsKey(name),
        _ => false,
    };

    public static object? Invoke(object target, string name, CallArgs args) => target switch
    {
        string s => StringMethods[name](s, args),
        Dictionary<string, object?> d => DictMethods[name](d, args),
        _ => throw new RuntimeFailure($"'{Values.TypeName(target)}' object has no method '{name}'"),
    };

    /// <summary>dict.items() as a list of (key, value) tuples, ready for <c>for k, v in ...</c>.</summary>
    public static List<object?> Items(Dictionary<string, object?> dict) =>
        dict.Select(p => (object?)new PyTuple([p.Key, p.Value])).ToList();

    static bool AnyAffix(object? affix, Func<string, bool> matches) => affix switch
    {
        string s => matches(s),
        List<object?> options => options.Any(o => matches(o as string ?? throw new RuntimeFailure("affix tuple must hold strings"))),
        _ => throw new RuntimeFailure($"startswith/endswith first arg must be str or a tuple of str, not {Values.TypeName(affix)}"),
    };

    static string? OptionalString(object? value) => value switch
    {
        null => null,
        string s => s,
        _ => throw new RuntimeFailure($"expected str or None, got {Values.TypeName(value)}"),
    };

    static string RequiredString(CallArgs args, int index, string name) =>
        args.Required(index, name, "str method") as string ?? throw new RuntimeFailure($"argument '{name}' must be a string");

    static long AsLong(object? value) => value is long l ? l : throw new RuntimeFailure($"expected an integer, got {Values.TypeName(value)}");
}
