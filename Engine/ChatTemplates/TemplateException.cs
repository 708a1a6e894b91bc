namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// Raised for malformed or unsupported templates (with a line:column position) and for
/// runtime failures, including a template's own <c>raise_exception(...)</c> call.
/// </summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string message) : base(message) { }

    /// <summary>Null when the error is not tied to a place in the source.</summary>
    public SourcePosition? Position { get; }

    public TemplateException(string message, SourcePosition position)
        : base($"{message} (at line {position.Line}, column {position.Column})")
    {
        Position = position;
    }
}

/// <summary>One-based line and column in the template source.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
