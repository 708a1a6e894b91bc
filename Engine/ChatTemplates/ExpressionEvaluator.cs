namespace MiniMind.Engine.ChatTemplates;

/// <summary>Evaluates expression nodes against a scope.</summary>
sealed class ExpressionEvaluator
{
    public object? Evaluate(Expr expr, Scope scope)
    {
        try
        {
            return EvaluateCore(expr, scope);
        }
        catch (RuntimeFailure failure)
        {
            // The innermost expression that failed supplies the position.
            throw new TemplateException(failure.Message, expr.Position);
        }
    }

    object? EvaluateCore(Expr expr, Scope scope) => expr switch
    {
        LiteralExpr literal => literal.Value,
        NameExpr name => scope.Lookup(name.Name),
        ListExpr list => list.Items.Select(item => Evaluate(item, scope)).ToList(),
        TupleExpr tuple => new PyTuple(tuple.Items.Select(item => Evaluate(item, scope))),
        DictExpr dict => EvaluateDict(dict, scope),
        AttributeExpr attribute => Access.GetAttribute(Evaluate(attribute.Target, scope), attribute.Name),
        IndexExpr index => Access.GetItem(Evaluate(index.Target, scope), EvaluateKey(index.Key, scope)),
        CallExpr call => EvaluateCall(call, scope),
        FilterExpr filter => Filters.Apply(filter.Name, Evaluate(filter.Value, scope), EvaluateArguments(filter.Args, scope)),
        TestExpr test => Tests.Apply(test.Name, Evaluate(test.Value, scope), EvaluateArguments(test.Args, scope)) != test.Negated,
        UnaryExpr unary => EvaluateUnary(unary, scope),
        BinaryExpr binary => EvaluateBinary(binary, scope),
        CompareExpr compare => EvaluateCompare(compare, scope),
        ConditionalExpr conditional => Values.IsTruthy(Evaluate(conditional.Condition, scope))
            ? Evaluate(conditional.Then, scope)
            : conditional.Otherwise != null
                ? Evaluate(conditional.Otherwise, scope)
                : new Undefined("the inline if-expression evaluated to false and no else section was defined"),
        _ => throw new TemplateException($"Unsupported expression {expr.GetType().Name}", expr.Position),
    };

    Dictionary<string, object?> EvaluateDict(DictExpr dict, Scope scope)
    {
        var result = new Dictionary<string, object?>();
        foreach (var (key, value) in dict.Entries)
        {
            var name = Evaluate(key, scope) as string ?? throw new TemplateException("Dictionary keys must be strings", key.Position);
            result[name] = Evaluate(value, scope);
        }
        return result;
    }

    object? EvaluateKey(Expr key, Scope scope)
    {
        if (key is not SliceExpr slice) return Evaluate(key, scope);
        return new SliceValue(SliceBound(slice.Start, scope), SliceBound(slice.Stop, scope), SliceBound(slice.Step, scope));
    }

    long? SliceBound(Expr? bound, Scope scope) => bound == null ? null : Evaluate(bound, scope) switch
    {
        null => null,
        long l => l,
        var other => throw new TemplateException($"slice indices must be integers or None, not {Values.TypeName(other)}", bound.Position),
    };

    object? EvaluateCall(CallExpr call, Scope scope) => Evaluate(call.Callee, scope) switch
    {
        ICallable callable => callable.Call(EvaluateArguments(call.Args, scope)),
        Undefined undefined => throw undefined.Fail(),
        var other => throw new RuntimeFailure($"'{Values.TypeName(other)}' object is not callable"),
    };

    CallArgs EvaluateArguments(Arguments args, Scope scope)
    {
        if (args.Positional.Count == 0 && args.Keywords.Count == 0) return CallArgs.Empty;
        var keywords = new Dictionary<string, object?>();
        foreach (var (name, value) in args.Keywords) keywords[name] = Evaluate(value, scope);
        return new CallArgs(args.Positional.Select(arg => Evaluate(arg, scope)).ToList(), keywords);
    }

    object? EvaluateUnary(UnaryExpr unary, Scope scope)
    {
        var operand = Evaluate(unary.Operand, scope);
        return unary.Operator switch
        {
            "not" => !Values.IsTruthy(operand),
            "-" => Operators.Negate(operand),
            _ => Values.IsNumber(operand) ? operand : throw new RuntimeFailure($"bad operand type for unary +: '{Values.TypeName(operand)}'"),
        };
    }

    /// <summary><c>and</c>/<c>or</c> short-circuit and return an operand, as in Python.</summary>
    object? EvaluateBinary(BinaryExpr binary, Scope scope)
    {
        var left = Evaluate(binary.Left, scope);
        return binary.Operator switch
        {
            "and" => Values.IsTruthy(left) ? Evaluate(binary.Right, scope) : left,
            "or" => Values.IsTruthy(left) ? left : Evaluate(binary.Right, scope),
            _ => Operators.Binary(binary.Operator, left, Evaluate(binary.Right, scope)),
        };
    }

    bool EvaluateCompare(CompareExpr compare, Scope scope)
    {
        var left = Evaluate(compare.First, scope);
        foreach (var (op, operand) in compare.Rest)
        {
            var right = Evaluate(operand, scope);
            var holds = op switch
            {
                "==" => Values.AreEqual(left, right),
                "!=" => !Values.AreEqual(left, right),
                "<" => Values.Compare(left, right) < 0,
                "<=" => Values.Compare(left, right) <= 0,
                ">" => Values.Compare(left, right) > 0,
                ">=" => Values.Compare(left, right) >= 0,
                "in" => Values.Contains(right, left),
                _ => !Values.Contains(right, left),
            };
            if (!holds) return false;
            left = right;
        }
        return true;
    }
}
