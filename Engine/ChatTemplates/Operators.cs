namespace MiniMind.Engine.ChatTemplates;

/// <summary>Python arithmetic: int stays int where Python's does, <c>/</c> is true division, <c>//</c> and <c>%</c> floor.</summary>
static class Operators
{
    public static object? Binary(string op, object? left, object? right)
    {
        if (op == "~") return PyFormat.Str(left) + PyFormat.Str(right);
        if (left is Undefined u) throw u.Fail();
        if (right is Undefined v) throw v.Fail();

        switch (op, left, right)
        {
            case ("+", string a, string b): return a + b;
            case ("+", List<object?> a, List<object?> b): return a.Concat(b).ToList();
            case ("*", string s, _) when IsInteger(right): return Repeat(s, AsLong(right));
            case ("*", _, string s) when IsInteger(left): return Repeat(s, AsLong(left));
        }
        if (!Values.IsNumber(left) || !Values.IsNumber(right))
        {
            throw new RuntimeFailure(
                $"unsupported operand type(s) for {op}: '{Values.TypeName(left)}' and '{Values.TypeName(right)}'");
        }
        return IsInteger(left) && IsInteger(right) ? IntegerMath(op, AsLong(left), AsLong(right)) : FloatMath(op, Values.ToDouble(left), Values.ToDouble(right));
    }

    public static object? Negate(object? value) => value switch
    {
        long l => (object)-l,
        double d => -d,
        bool b => b ? -1L : 0L,
        Undefined u => throw u.Fail(),
        _ => throw new RuntimeFailure($"bad operand type for unary -: '{Values.TypeName(value)}'"),
    };

    static bool IsInteger(object? value) => value is long or bool;

    static long AsLong(object? value) => value is bool b ? (b ? 1 : 0) : (long)value!;

    static string Repeat(string s, long times) => times <= 0 ? "" : string.Concat(Enumerable.Repeat(s, (int)times));

    // Arms are boxed individually: a switch mixing long and double would widen every result to double.
    static object IntegerMath(string op, long a, long b) => op switch
    {
        "+" => (object)(a + b),
        "-" => a - b,
        "*" => a * b,
        "/" => b == 0 ? throw DivisionByZero() : (double)a / b,
        "//" => b == 0 ? throw DivisionByZero() : FloorDiv(a, b),
        "%" => b == 0 ? throw DivisionByZero() : a - b * FloorDiv(a, b),
        "**" => b >= 0 ? (object)(long)Math.Pow(a, b) : Math.Pow(a, b),
        _ => throw new RuntimeFailure($"Unknown operator '{op}'"),
    };

    static long FloorDiv(long a, long b)
    {
        var quotient = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient;
    }

    static object FloatMath(string op, double a, double b) => op switch
    {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => b == 0 ? throw DivisionByZero() : a / b,
        "//" => b == 0 ? throw DivisionByZero() : Math.Floor(a / b),
        "%" => b == 0 ? throw DivisionByZero() : a - b * Math.Floor(a / b),
        "**" => Math.Pow(a, b),
        _ => throw new RuntimeFailure($"Unknown operator '{op}'"),
    };

    static RuntimeFailure DivisionByZero() => new("division by zero");
}
