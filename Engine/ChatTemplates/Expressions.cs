namespace MiniMind.Engine.ChatTemplates;

/// <summary>Expression nodes; each keeps its source position for runtime error messages.</summary>
abstract record Expr(SourcePosition Position);

sealed record LiteralExpr(object? Value, SourcePosition Position) : Expr(Position);

sealed record NameExpr(string Name, SourcePosition Position) : Expr(Position);

sealed record ListExpr(IReadOnlyList<Expr> Items, SourcePosition Position) : Expr(Position);

/// <summary>Evaluates to a <see cref="PyTuple"/>.</summary>
sealed record TupleExpr(IReadOnlyList<Expr> Items, SourcePosition Position) : Expr(Position);

sealed record DictExpr(IReadOnlyList<(Expr Key, Expr Value)> Entries, SourcePosition Position) : Expr(Position);

sealed record AttributeExpr(Expr Target, string Name, SourcePosition Position) : Expr(Position);

sealed record IndexExpr(Expr Target, Expr Key, SourcePosition Position) : Expr(Position);

sealed record SliceExpr(Expr? Start, Expr? Stop, Expr? Step, SourcePosition Position) : Expr(Position);

/// <summary>Positional and keyword arguments of a call, filter or test.</summary>
sealed record Arguments(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Keywords)
{
    public static readonly Arguments None = new([], []);
}

sealed record CallExpr(Expr Callee, Arguments Args, SourcePosition Position) : Expr(Position);

sealed record FilterExpr(Expr Value, string Name, Arguments Args, SourcePosition Position) : Expr(Position);

sealed record TestExpr(Expr Value, string Name, Arguments Args, bool Negated, SourcePosition Position) : Expr(Position);

/// <summary><c>not</c>, unary <c>-</c> and unary <c>+</c>.</summary>
sealed record UnaryExpr(string Operator, Expr Operand, SourcePosition Position) : Expr(Position);

/// <summary>Arithmetic, <c>~</c>, <c>and</c>, <c>or</c>.</summary>
sealed record BinaryExpr(string Operator, Expr Left, Expr Right, SourcePosition Position) : Expr(Position);

/// <summary>A (possibly chained) comparison such as <c>a &lt; b &lt;= c</c> or <c>x not in xs</c>.</summary>
sealed record CompareExpr(Expr First, IReadOnlyList<(string Operator, Expr Operand)> Rest, SourcePosition Position) : Expr(Position);

/// <summary><c>then if condition else otherwise</c>; a missing else yields undefined.</summary>
sealed record ConditionalExpr(Expr Condition, Expr Then, Expr? Otherwise, SourcePosition Position) : Expr(Position);
