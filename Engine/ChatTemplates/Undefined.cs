namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// Jinja's default <c>Undefined</c>: falsy, renders as "", iterates as empty and has length 0,
/// but any other use (arithmetic, attribute or item access, calls, JSON) is an error.
/// </summary>
sealed class Undefined(string hint)
{
    /// <summary>Why the value is undefined, e.g. "'tools' is undefined".</summary>
    public string Hint { get; } = hint;

    public static Undefined Variable(string name) => new($"'{name}' is undefined");

    public static Undefined Member(object? owner, object? key) =>
        new($"'{Values.TypeName(owner)} object' has no attribute {PyFormat.Repr(key)}");

    public RuntimeFailure Fail() => new(Hint);
}
