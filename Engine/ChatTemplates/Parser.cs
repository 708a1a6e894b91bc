namespace MiniMind.Engine.ChatTemplates;

/// <summary>Parses the token stream into statement nodes; expressions go to <see cref="ExpressionParser"/>.</summary>
sealed class Parser
{
    /// <summary>Tags that only make sense as the middle or end of an enclosing block.</summary>
    static readonly HashSet<string> ClosingTags =
        ["elif", "else", "endif", "endfor", "endset", "endmacro", "endgeneration", "endraw"];

    readonly TokenStream _stream;
    readonly ExpressionParser _expressions;
    int loopDepth;

    Parser(List<Token> tokens)
    {
        _stream = new TokenStream(tokens);
        _expressions = new ExpressionParser(_stream);
    }

    public static IReadOnlyList<Node> Parse(string source)
    {
        var parser = new Parser(Lexer.Tokenize(source));
        var (body, _) = parser.ParseBody(opener: null);
        return body;
    }

    /// <summary>
    /// Parses nodes until one of <paramref name="endTags"/> opens a block tag; the end tag's name
    /// is consumed, the rest of that tag is left to the caller.
    /// </summary>
    (List<Node> Body, string EndTag) ParseBody(Token? opener, params string[] endTags)
    {
        var nodes = new List<Node>();
        while (true)
        {
            var token = _stream.Current;
            switch (token.Kind)
            {
                case TokenKind.End:
                    if (opener == null) return (nodes, "");
                    throw new TemplateException(
                        $"Unclosed '{opener.Value}' tag: expected '{endTags[^1]}' before the end of the template", opener.Position);
                case TokenKind.Text:
                    nodes.Add(new TextNode(_stream.Next().Value, token.Position));
                    break;
                case TokenKind.VariableBegin:
                    _stream.Next();
                    nodes.Add(new OutputNode(_expressions.ParseTuple(), token.Position));
                    _stream.Expect(TokenKind.VariableEnd, "'}}'");
                    break;
                case TokenKind.BlockBegin:
                    _stream.Next();
                    var name = _stream.Expect(TokenKind.Name, "a tag name");
                    if (endTags.Contains(name.Value)) return (nodes, name.Value);
                    ParseStatement(name, nodes);
                    break;
                default:
                    throw _stream.Unexpected("text or a tag");
            }
        }
    }

    void ParseStatement(Token tag, List<Node> into)
    {
        switch (tag.Value)
        {
            case "if": into.Add(ParseIf(tag)); break;
            case "for": into.Add(ParseFor(tag)); break;
            case "set": into.Add(ParseSet(tag)); break;
            case "macro": into.Add(ParseMacro(tag)); break;
            case "break" or "continue":
                if (loopDepth == 0) throw new TemplateException($"'{tag.Value}' outside of a loop", tag.Position);
                EndTag();
                into.Add(tag.Value == "break" ? new BreakNode(tag.Position) : new ContinueNode(tag.Position));
                break;
            case "generation": into.Add(ParseGeneration(tag)); break;
            default:
                var problem = ClosingTags.Contains(tag.Value) ? "Unexpected" : "Unsupported";
                throw new TemplateException($"{problem} tag '{tag.Value}'", tag.Position);
        }
    }

    void EndTag() => _stream.Expect(TokenKind.BlockEnd, "'%}'");

    IfNode ParseIf(Token tag)
    {
        var branches = new List<(Expr, IReadOnlyList<Node>)>();
        var condition = _expressions.ParseTuple(withConditional: false);
        while (true)
        {
            EndTag();
            var (body, end) = ParseBody(tag, "elif", "else", "endif");
            branches.Add((condition, body));
            if (end == "elif")
            {
                condition = _expressions.ParseTuple(withConditional: false);
                continue;
            }

            List<Node> otherwise = [];
            if (end == "else")
            {
                EndTag();
                otherwise = ParseBody(tag, "endif").Body;
            }
            EndTag();
            return new IfNode(branches, otherwise, tag.Position);
        }
    }

    ForNode ParseFor(Token tag)
    {
        var targets = new List<string> { _stream.Expect(TokenKind.Name, "a loop variable").Value };
        while (_stream.SkipOperator(",")) targets.Add(_stream.Expect(TokenKind.Name, "a loop variable").Value);
        _stream.ExpectName("in");
        var iterable = _expressions.ParseTuple(withConditional: false, extraEnd: "recursive");
        var filter = _stream.SkipName("if") ? _expressions.ParseExpression() : null;
        if (_stream.Current.IsName("recursive"))
        {
            throw new TemplateException("Unsupported recursive for loop", _stream.Current.Position);
        }
        EndTag();

        loopDepth++;
        var (body, end) = ParseBody(tag, "else", "endfor");
        loopDepth--;
        List<Node> otherwise = [];
        if (end == "else")
        {
            EndTag();
            otherwise = ParseBody(tag, "endfor").Body;
        }
        EndTag();
        return new ForNode(targets, iterable, filter, body, otherwise, tag.Position);
    }

    Node ParseSet(Token tag)
    {
        var first = _stream.Expect(TokenKind.Name, "a variable name");
        Expr target = new NameExpr(first.Value, first.Position);
        if (_stream.SkipOperator("."))
        {
            target = new AttributeExpr(target, _stream.Expect(TokenKind.Name, "an attribute name").Value, first.Position);
        }
        else if (_stream.Current.IsOperator(","))
        {
            var names = new List<Expr> { target };
            while (_stream.SkipOperator(","))
            {
                var name = _stream.Expect(TokenKind.Name, "a variable name");
                names.Add(new NameExpr(name.Value, name.Position));
            }
            target = new TupleExpr(names, first.Position);
        }

        if (_stream.SkipOperator("="))
        {
            var value = _expressions.ParseTuple();
            EndTag();
            return new SetNode(target, value, tag.Position);
        }

        if (target is not NameExpr block) throw _stream.Unexpected("'='");
        EndTag();
        var body = ParseBody(tag, "endset").Body;
        EndTag();
        return new SetBlockNode(block.Name, body, tag.Position);
    }

    GenerationNode ParseGeneration(Token tag)
    {
        EndTag();
        var body = ParseFrame(tag, "endgeneration");
        EndTag();
        return new GenerationNode(body, tag.Position);
    }

    MacroNode ParseMacro(Token tag)
    {
        var name = _stream.Expect(TokenKind.Name, "a macro name").Value;
        var parameters = new List<(string, Expr?)>();
        _stream.ExpectOperator("(");
        while (!_stream.SkipOperator(")"))
        {
            if (parameters.Count > 0) _stream.ExpectOperator(",");
            var parameter = _stream.Expect(TokenKind.Name, "a parameter name").Value;
            parameters.Add((parameter, _stream.SkipOperator("=") ? _expressions.ParseExpression() : null));
        }
        EndTag();
        var body = ParseFrame(tag, "endmacro");
        EndTag();
        return new MacroNode(name, parameters, body, tag.Position);
    }

    /// <summary>Parses the body of a macro-like frame, which break/continue cannot cross.</summary>
    List<Node> ParseFrame(Token tag, string endTag)
    {
        var outerLoops = loopDepth;
        loopDepth = 0;
        var body = ParseBody(tag, endTag).Body;
        loopDepth = outerLoops;
        return body;
    }
}
