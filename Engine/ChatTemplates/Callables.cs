namespace MiniMind.Engine.ChatTemplates;

/// <summary>Evaluated call arguments with Python-style positional-or-keyword lookup.</summary>
sealed record CallArgs(IReadOnlyList<object?> Positional, IReadOnlyDictionary<string, object?> Keywords)
{
    public static readonly CallArgs Empty = new([], new Dictionary<string, object?>());

    public bool Has(int index, string name) => index < Positional.Count || Keywords.ContainsKey(name);

    /// <summary>The argument at <paramref name="index"/> or named <paramref name="name"/>, else <paramref name="fallback"/>.</summary>
    public object? Get(int index, string name, object? fallback = null)
    {
        if (index < Positional.Count) return Positional[index];
        return Keywords.TryGetValue(name, out var value) ? value : fallback;
    }

    public object? Required(int index, string name, string function) =>
        Has(index, name) ? Get(index, name) : throw new RuntimeFailure($"{function}() missing required argument '{name}'");
}

/// <summary>Anything a template can call: builtins, bound methods and macros.</summary>
interface ICallable
{
    string Name { get; }

    object? Call(CallArgs args);
}

sealed class BuiltinFunction(string name, Func<CallArgs, object?> body) : ICallable
{
    public string Name { get; } = name;

    public object? Call(CallArgs args) => body(args);
}

/// <summary>A method looked up on a string or dict, e.g. <c>content.split</c>, invoked when called.</summary>
sealed class BoundMethod(object target, string name) : ICallable
{
    public string Name { get; } = name;

    public object? Call(CallArgs args) => Methods.Invoke(target, Name, args);
}
