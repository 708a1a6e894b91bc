using System.Text;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>Executes statement nodes, writing rendered text to a <see cref="StringBuilder"/>.</summary>
sealed class Interpreter
{
    enum Flow { Normal, Break, Continue }

    readonly ExpressionEvaluator _expressions;

    public Interpreter() => _expressions = new ExpressionEvaluator();

    public string Render(IReadOnlyList<Node> nodes, Scope scope)
    {
        var output = new StringBuilder();
        Execute(nodes, scope, output);
        return output.ToString();
    }

    Flow Execute(IReadOnlyList<Node> nodes, Scope scope, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            var flow = Execute(node, scope, output);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    Flow Execute(Node node, Scope scope, StringBuilder output)
    {
        switch (node)
        {
            case TextNode text:
                output.Append(text.Text);
                break;
            case OutputNode print:
                output.Append(PyFormat.Str(_expressions.Evaluate(print.Value, scope)));
                break;
            case IfNode branch:
                foreach (var (condition, body) in branch.Branches)
                {
                    if (Values.IsTruthy(_expressions.Evaluate(condition, scope))) return Execute(body, scope, output);
                }
                return Execute(branch.Else, scope, output);
            case ForNode loop:
                ExecuteFor(loop, scope, output);
                break;
            case SetNode set:
                Assign(set.Target, _expressions.Evaluate(set.Value, scope), scope);
                break;
            case SetBlockNode capture:
                scope.Set(capture.Name, Render(capture.Body, scope));
                break;
            case MacroNode macro:
                scope.Set(macro.Name, new Macro(macro, scope, this, _expressions));
                break;
            case GenerationNode generation:
                Execute(generation.Body, new Scope(scope), output);
                break;
            case BreakNode:
                return Flow.Break;
            case ContinueNode:
                return Flow.Continue;
            default:
                throw new TemplateException($"Unsupported node {node.GetType().Name}", node.Position);
        }
        return Flow.Normal;
    }

    void ExecuteFor(ForNode loop, Scope scope, StringBuilder output)
    {
        var source = _expressions.Evaluate(loop.Iterable, scope);
        List<object?> items;
        try
        {
            items = Values.Iterate(source);
        }
        catch (RuntimeFailure failure)
        {
            throw new TemplateException(failure.Message, loop.Iterable.Position);
        }

        if (loop.Filter != null)
        {
            // The loop filter sees the loop variables but not 'loop' itself, as in Jinja.
            items = items.Where(item =>
            {
                var filterScope = new Scope(scope);
                Bind(loop, item, filterScope);
                return Values.IsTruthy(_expressions.Evaluate(loop.Filter, filterScope));
            }).ToList();
        }

        if (items.Count == 0)
        {
            Execute(loop.Else, new Scope(scope), output);
            return;
        }

        var info = new LoopInfo(items);
        for (var i = 0; i < items.Count; i++)
        {
            // A fresh frame per iteration: Jinja doesn't carry 'set' values between iterations.
            var iteration = new Scope(scope);
            info.Index0 = i;
            Bind(loop, items[i], iteration);
            iteration.Set("loop", info);
            if (Execute(loop.Body, iteration, output) == Flow.Break) break;
        }
    }

    static void Bind(ForNode loop, object? item, Scope scope)
    {
        if (loop.Targets.Count == 1)
        {
            scope.Set(loop.Targets[0], item);
            return;
        }
        var values = Unpack(item, loop.Targets.Count, loop.Position);
        for (var i = 0; i < values.Count; i++) scope.Set(loop.Targets[i], values[i]);
    }

    static List<object?> Unpack(object? value, int count, SourcePosition position)
    {
        var values = value is List<object?> list ? list : throw new TemplateException($"cannot unpack non-sequence {Values.TypeName(value)}", position);
        if (values.Count != count)
        {
            throw new TemplateException($"expected {count} values to unpack, got {values.Count}", position);
        }
        return values;
    }

    static void Assign(Expr target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameExpr name:
                scope.Set(name.Name, value);
                break;
            case TupleExpr tuple:
                var values = Unpack(value, tuple.Items.Count, tuple.Position);
                for (var i = 0; i < values.Count; i++) Assign(tuple.Items[i], values[i], scope);
                break;
            case AttributeExpr { Target: NameExpr owner } attribute:
                if (scope.Lookup(owner.Name) is not Namespace ns)
                {
                    throw new TemplateException($"Cannot assign attribute on non-namespace object '{owner.Name}'", attribute.Position);
                }
                ns.Attributes[attribute.Name] = value;
                break;
            default:
                throw new TemplateException("Unsupported assignment target", target.Position);
        }
    }

    /// <summary>A <c>{% macro %}</c>: calling it renders its body in a frame whose parent is where it was defined.</summary>
    sealed class Macro(MacroNode node, Scope closure, Interpreter interpreter, ExpressionEvaluator expressions) : ICallable
    {
        public string Name => node.Name;

        public object? Call(CallArgs args)
        {
            if (args.Positional.Count > node.Parameters.Count)
            {
                throw new RuntimeFailure($"macro '{Name}' takes not more than {node.Parameters.Count} argument(s)");
            }
            var unknown = args.Keywords.Keys.FirstOrDefault(k => node.Parameters.All(p => p.Name != k));
            if (unknown != null) throw new RuntimeFailure($"macro '{Name}' takes no keyword argument '{unknown}'");

            var scope = new Scope(closure);
            for (var i = 0; i < node.Parameters.Count; i++)
            {
                var (name, fallback) = node.Parameters[i];
                scope.Set(name, args.Has(i, name)
                    ? args.Get(i, name)
                    : fallback != null ? expressions.Evaluate(fallback, scope) : Undefined.Variable(name));
            }
            return interpreter.Render(node.Body, scope);
        }
    }
}
