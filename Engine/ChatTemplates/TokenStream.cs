namespace MiniMind.Engine.ChatTemplates;

/// <summary>A cursor over the lexer's tokens with expectation helpers that report positions.</summary>
sealed class TokenStream(List<Token> tokens)
{
    int index;

    public Token Current => tokens[index];

    public Token Peek => tokens[Math.Min(index + 1, tokens.Count - 1)];

    public Token Next()
    {
        var token = tokens[index];
        if (index < tokens.Count - 1) index++;
        return token;
    }

    public bool SkipOperator(string op)
    {
        if (!Current.IsOperator(op)) return false;
        Next();
        return true;
    }

    public bool SkipName(string name)
    {
        if (!Current.IsName(name)) return false;
        Next();
        return true;
    }

    public Token Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind) throw Unexpected(what);
        return Next();
    }

    public Token ExpectOperator(string op)
    {
        if (!Current.IsOperator(op)) throw Unexpected($"'{op}'");
        return Next();
    }

    public void ExpectName(string name)
    {
        if (!Current.IsName(name)) throw Unexpected($"'{name}'");
        Next();
    }

    public TemplateException Unexpected(string expected) =>
        new($"Expected {expected} but found {Current}", Current.Position);
}
