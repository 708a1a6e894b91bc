namespace MiniMind.Engine.ChatTemplates;

/// <summary>A cursor over the lexer's tokens with expectation helpers that report positions.</summary>
internal sealed class TokenStream(List<Token> tokens)
{
    private int _index;

    public Token Current => tokens[_index];

    public Token Peek => tokens[Math.Min(_index + 1, tokens.Count - 1)];

    public Token Next()
    {
        var token = tokens[_index];
        if (_index < tokens.Count - 1) _index++;
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
