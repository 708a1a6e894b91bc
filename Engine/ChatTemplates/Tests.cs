namespace MiniMind.Engine.ChatTemplates;

/// <summary>Jinja's tests (<c>x is defined</c>, <c>x is string</c>, ...).</summary>
static class Tests
{
    static readonly Dictionary<string, Func<object?, CallArgs, bool>> All = new()
    {
        ["defined"] = (v, _) => v is not Undefined,
        ["undefined"] = (v, _) => v is Undefined,
        ["none"] = (v, _) => v is null,
        ["string"] = (v, _) => v is string,
        ["mapping"] = (v, _) => v is Dictionary<string, object?>,
        ["iterable"] = (v, _) => v is string or List<object?> or Dictionary<string, object?> or Undefined,
        ["sequence"] = (v, _) => v is string or List<object?> or Dictionary<string, object?>,
        ["number"] = (v, _) => Values.IsNumber(v),
        ["integer"] = (v, _) => v is long,
        ["float"] = (v, _) => v is double,
        ["boolean"] = (v, _) => v is bool,
        ["true"] = (v, _) => v is true,
        ["false"] = (v, _) => v is false,
        ["callable"] = (v, _) => v is ICallable,
        ["lower"] = (v, _) => v is string s && s == s.ToLowerInvariant(),
        ["upper"] = (v, _) => v is string s && s == s.ToUpperInvariant(),
        ["odd"] = (v, _) => v is long l && l % 2 != 0,
        ["even"] = (v, _) => v is long l && l % 2 == 0,
        ["divisibleby"] = (v, a) => Values.ToDouble(v) % Values.ToDouble(a.Required(0, "num", "divisibleby")) == 0,
        ["equalto"] = Equal,
        ["eq"] = Equal,
        ["=="] = Equal,
        ["sameas"] = (v, a) => Values.AreEqual(v, Other(a)) && Values.TypeName(v) == Values.TypeName(Other(a)),
        ["ne"] = (v, a) => !Equal(v, a),
        ["!="] = (v, a) => !Equal(v, a),
        ["lt"] = (v, a) => Values.Compare(v, Other(a)) < 0,
        ["<"] = (v, a) => Values.Compare(v, Other(a)) < 0,
        ["le"] = (v, a) => Values.Compare(v, Other(a)) <= 0,
        ["<="] = (v, a) => Values.Compare(v, Other(a)) <= 0,
        ["gt"] = (v, a) => Values.Compare(v, Other(a)) > 0,
        [">"] = (v, a) => Values.Compare(v, Other(a)) > 0,
        ["ge"] = (v, a) => Values.Compare(v, Other(a)) >= 0,
        [">="] = (v, a) => Values.Compare(v, Other(a)) >= 0,
        ["in"] = (v, a) => Values.Contains(a.Required(0, "seq", "in"), v),
    };

    public static bool Exists(string name) => All.ContainsKey(name);

    public static bool Apply(string name, object? value, CallArgs args) =>
        All.TryGetValue(name, out var test) ? test(value, args) : throw new RuntimeFailure($"Unsupported test '{name}'");

    static bool Equal(object? value, CallArgs args) => Values.AreEqual(value, Other(args));

    static object? Other(CallArgs args) => args.Required(0, "other", "test");
}
