using System.Globalization;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// Recursive-descent expression parser following Jinja's precedence, lowest first:
/// conditional, or, and, not, comparisons (incl. in / not in), + -, ~, * / // %, **,
/// unary - +, then primaries with postfix access, calls, filters and tests.
/// </summary>
sealed class ExpressionParser(TokenStream stream)
{
    static readonly HashSet<string> CompareOperators = ["==", "!=", "<", "<=", ">", ">="];

    public Expr ParseExpression(bool withConditional = true)
    {
        var expr = ParseOr();
        while (withConditional && stream.Current.IsName("if"))
        {
            var position = stream.Next().Position;
            var condition = ParseOr();
            var otherwise = stream.SkipName("else") ? ParseExpression() : null;
            expr = new ConditionalExpr(condition, expr, otherwise, position);
        }
        return expr;
    }

    /// <summary>An expression or a bare comma-separated tuple, e.g. the iterable of a for loop.</summary>
    public Expr ParseTuple(bool withConditional = true, string? extraEnd = null)
    {
        var position = stream.Current.Position;
        var items = new List<Expr>();
        var isTuple = false;
        while (true)
        {
            if (items.Count > 0) stream.ExpectOperator(",");
            if (IsTupleEnd(extraEnd)) break;
            items.Add(ParseExpression(withConditional));
            if (!stream.Current.IsOperator(",")) break;
            isTuple = true;
        }
        if (!isTuple && items.Count == 1) return items[0];
        if (items.Count == 0 && !stream.Current.IsOperator(")")) throw stream.Unexpected("an expression");
        return new TupleExpr(items, position);
    }

    bool IsTupleEnd(string? extraEnd) =>
        stream.Current.Kind is TokenKind.BlockEnd or TokenKind.VariableEnd or TokenKind.End
        || stream.Current.IsOperator(")")
        || (extraEnd != null && stream.Current.IsName(extraEnd));

    Expr ParseOr() => ParseLeftAssociative(ParseAnd, "or");

    Expr ParseAnd() => ParseLeftAssociative(ParseNot, "and");

    Expr ParseLeftAssociative(Func<Expr> operand, string keyword)
    {
        var left = operand();
        while (stream.Current.IsName(keyword))
        {
            var position = stream.Next().Position;
            left = new BinaryExpr(keyword, left, operand(), position);
        }
        return left;
    }

    Expr ParseNot()
    {
        if (!stream.Current.IsName("not")) return ParseCompare();
        var position = stream.Next().Position;
        return new UnaryExpr("not", ParseNot(), position);
    }

    Expr ParseCompare()
    {
        var first = ParseMath(ParseConcat, "+", "-");
        var rest = new List<(string, Expr)>();
        while (true)
        {
            var token = stream.Current;
            string op;
            if (token.Kind == TokenKind.Operator && CompareOperators.Contains(token.Value)) op = token.Value;
            else if (token.IsName("in")) op = "in";
            else if (token.IsName("not") && stream.Peek.IsName("in"))
            {
                stream.Next();
                op = "not in";
            }
            else break;
            stream.Next();
            rest.Add((op, ParseMath(ParseConcat, "+", "-")));
        }
        return rest.Count == 0 ? first : new CompareExpr(first, rest, first.Position);
    }

    Expr ParseConcat() => ParseMath(() => ParseMath(ParsePow, "*", "/", "//", "%"), "~");

    Expr ParsePow() => ParseMath(() => ParseUnary(), "**");

    Expr ParseMath(Func<Expr> operand, params string[] operators)
    {
        var left = operand();
        while (stream.Current.Kind == TokenKind.Operator && operators.Contains(stream.Current.Value))
        {
            var token = stream.Next();
            left = new BinaryExpr(token.Value, left, operand(), token.Position);
        }
        return left;
    }

    Expr ParseUnary(bool withFilters = true)
    {
        Expr node;
        if (stream.Current.IsOperator("-") || stream.Current.IsOperator("+"))
        {
            var token = stream.Next();
            node = new UnaryExpr(token.Value, ParseUnary(withFilters: false), token.Position);
        }
        else
        {
            node = ParsePrimary();
        }
        node = ParsePostfix(node);
        return withFilters ? ParseFiltersAndTests(node) : node;
    }

    Expr ParsePrimary()
    {
        var token = stream.Current;
        switch (token.Kind)
        {
            case TokenKind.Name:
                stream.Next();
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpr(true, token.Position),
                    "false" or "False" => new LiteralExpr(false, token.Position),
                    "none" or "None" => new LiteralExpr(null, token.Position),
                    _ => new NameExpr(token.Value, token.Position),
                };
            case TokenKind.String:
                // Adjacent string literals concatenate, as in Python.
                var text = stream.Next().Value;
                while (stream.Current.Kind == TokenKind.String) text += stream.Next().Value;
                return new LiteralExpr(text, token.Position);
            case TokenKind.Integer:
                stream.Next();
                return new LiteralExpr(long.Parse(token.Value, CultureInfo.InvariantCulture), token.Position);
            case TokenKind.Float:
                stream.Next();
                return new LiteralExpr(double.Parse(token.Value, CultureInfo.InvariantCulture), token.Position);
        }

        if (stream.SkipOperator("("))
        {
            var inner = ParseTuple();
            stream.ExpectOperator(")");
            return inner;
        }
        if (stream.SkipOperator("[")) return ParseList(token.Position);
        if (stream.SkipOperator("{")) return ParseDict(token.Position);
        throw stream.Unexpected("an expression");
    }

    ListExpr ParseList(SourcePosition position)
    {
        var items = new List<Expr>();
        while (!stream.Current.IsOperator("]"))
        {
            if (items.Count > 0) stream.ExpectOperator(",");
            if (stream.Current.IsOperator("]")) break;
            items.Add(ParseExpression());
        }
        stream.ExpectOperator("]");
        return new ListExpr(items, position);
    }

    DictExpr ParseDict(SourcePosition position)
    {
        var entries = new List<(Expr, Expr)>();
        while (!stream.Current.IsOperator("}"))
        {
            if (entries.Count > 0) stream.ExpectOperator(",");
            if (stream.Current.IsOperator("}")) break;
            var key = ParseExpression();
            stream.ExpectOperator(":");
            entries.Add((key, ParseExpression()));
        }
        stream.ExpectOperator("}");
        return new DictExpr(entries, position);
    }

    Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            var token = stream.Current;
            if (stream.SkipOperator("."))
            {
                var name = stream.Current;
                if (name.Kind == TokenKind.Integer)
                {
                    stream.Next();
                    node = new IndexExpr(node, new LiteralExpr(long.Parse(name.Value, CultureInfo.InvariantCulture), name.Position), token.Position);
                }
                else
                {
                    node = new AttributeExpr(node, stream.Expect(TokenKind.Name, "an attribute name").Value, token.Position);
                }
            }
            else if (stream.SkipOperator("["))
            {
                node = new IndexExpr(node, ParseSubscript(), token.Position);
                stream.ExpectOperator("]");
            }
            else if (token.IsOperator("("))
            {
                node = new CallExpr(node, ParseArguments(), token.Position);
            }
            else
            {
                return node;
            }
        }
    }

    /// <summary>An index or a Python slice <c>start:stop:step</c> with any part omitted.</summary>
    Expr ParseSubscript()
    {
        var position = stream.Current.Position;
        Expr? start = null;
        if (!stream.Current.IsOperator(":"))
        {
            start = ParseExpression();
            if (!stream.Current.IsOperator(":")) return start;
        }
        stream.ExpectOperator(":");
        var stop = IsSliceEnd() ? null : ParseExpression();
        Expr? step = null;
        if (stream.SkipOperator(":") && !IsSliceEnd()) step = ParseExpression();
        return new SliceExpr(start, stop, step, position);
    }

    bool IsSliceEnd() => stream.Current.IsOperator("]") || stream.Current.IsOperator(":");

    Expr ParseFiltersAndTests(Expr node)
    {
        while (true)
        {
            var token = stream.Current;
            if (stream.SkipOperator("|"))
            {
                var name = stream.Expect(TokenKind.Name, "a filter name");
                if (!Filters.Exists(name.Value)) throw new TemplateException($"Unsupported filter '{name.Value}'", name.Position);
                var args = stream.Current.IsOperator("(") ? ParseArguments() : Arguments.None;
                node = new FilterExpr(node, name.Value, args, name.Position);
            }
            else if (stream.SkipName("is"))
            {
                node = ParseTest(node, token.Position);
            }
            else if (token.IsOperator("("))
            {
                node = new CallExpr(node, ParseArguments(), token.Position);
            }
            else
            {
                return node;
            }
        }
    }

    TestExpr ParseTest(Expr node, SourcePosition position)
    {
        var negated = stream.SkipName("not");
        var name = stream.Expect(TokenKind.Name, "a test name");
        if (!Tests.Exists(name.Value)) throw new TemplateException($"Unsupported test '{name.Value}'", name.Position);

        var args = Arguments.None;
        var current = stream.Current;
        if (current.IsOperator("("))
        {
            args = ParseArguments();
        }
        else if (StartsBareTestArgument(current))
        {
            // Jinja allows one argument without parentheses: "x is divisibleby 3".
            args = new Arguments([ParsePostfix(ParsePrimary())], []);
        }
        return new TestExpr(node, name.Value, args, negated, position);
    }

    static bool StartsBareTestArgument(Token token) =>
        token.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
        || token.IsOperator("[") || token.IsOperator("{")
        || (token.Kind == TokenKind.Name && token.Value is not ("else" or "or" or "and" or "is"));

    Arguments ParseArguments()
    {
        stream.ExpectOperator("(");
        var positional = new List<Expr>();
        var keywords = new List<(string, Expr)>();
        while (!stream.Current.IsOperator(")"))
        {
            if (positional.Count + keywords.Count > 0)
            {
                stream.ExpectOperator(",");
                if (stream.Current.IsOperator(")")) break;
            }
            if (stream.Current.Kind == TokenKind.Name && stream.Peek.IsOperator("="))
            {
                var name = stream.Next().Value;
                stream.Next();
                keywords.Add((name, ParseExpression()));
            }
            else if (keywords.Count > 0)
            {
                throw new TemplateException("Positional argument after keyword argument", stream.Current.Position);
            }
            else
            {
                positional.Add(ParseExpression());
            }
        }
        stream.ExpectOperator(")");
        return new Arguments(positional, keywords);
    }
}
