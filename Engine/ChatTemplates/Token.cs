namespace MiniMind.Engine.ChatTemplates;

enum TokenKind
{
    Text,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    End,
}

/// <summary>A lexeme; <see cref="Value"/> is the decoded text for strings and the spelling otherwise.</summary>
sealed record Token(TokenKind Kind, string Value, SourcePosition Position)
{
    bool Is(TokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsOperator(string op) => Is(TokenKind.Operator, op);

    public bool IsName(string name) => Is(TokenKind.Name, name);

    public override string ToString() => Kind switch
    {
        TokenKind.End => "end of template",
        TokenKind.String => $"string '{Value}'",
        _ => $"'{Value}'",
    };
}
