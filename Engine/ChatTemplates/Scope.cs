namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// A variable frame. Loop iterations and macro calls get child frames (so their <c>set</c>s don't
/// leak out, as in Jinja); <c>if</c> blocks share their parent's frame.
/// </summary>
sealed class Scope(Scope? parent)
{
    readonly Dictionary<string, object?> variables = [];

    public Scope? Parent { get; } = parent;

    public object? Lookup(string name)
    {
        for (var scope = this; scope != null; scope = scope.Parent)
        {
            if (scope.variables.TryGetValue(name, out var value)) return value;
        }
        return Undefined.Variable(name);
    }

    public void Set(string name, object? value) => variables[name] = value;
}
