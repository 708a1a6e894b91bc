using System.Globalization;
using System.Text;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>Python's <c>str()</c> and <c>repr()</c>, which decide how values render in output.</summary>
static class PyFormat
{
    public static string Str(object? value) => value switch
    {
        string s => s,
        Undefined => "",
        _ => Repr(value),
    };

    public static string Repr(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FloatRepr(d),
        string s => StringRepr(s),
        PyTuple tuple => tuple.Count == 1 ? "(" + Repr(tuple[0]) + ",)" : "(" + string.Join(", ", tuple.Select(Repr)) + ")",
        List<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        Dictionary<string, object?> dict => "{" + string.Join(", ", dict.Select(p => StringRepr(p.Key) + ": " + Repr(p.Value))) + "}",
        Namespace ns => "<Namespace " + Repr(ns.Attributes) + ">",
        Undefined => "",
        ICallable f => $"<function {f.Name}>",
        _ => value.ToString() ?? "",
    };

    /// <summary>Shortest round-trip digits, positional for exponents in [-4, 16), else scientific.</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";

        var (digits, exponent) = Decompose(Math.Abs(d));
        var sign = d < 0 ? "-" : "";
        if (exponent is < -4 or >= 16)
        {
            var mantissa = digits.Length > 1 ? digits[..1] + "." + digits[1..] : digits;
            return $"{sign}{mantissa}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
        }
        if (exponent < 0) return sign + "0." + new string('0', -exponent - 1) + digits;
        var whole = digits.PadRight(exponent + 1, '0');
        var fraction = whole[(exponent + 1)..];
        return sign + whole[..(exponent + 1)] + "." + (fraction.Length > 0 ? fraction : "0");
    }

    /// <summary>Splits a positive double into significant digits and a decimal exponent (d.ddd × 10^exp).</summary>
    static (string Digits, int Exponent) Decompose(double d)
    {
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E');
        if (e >= 0)
        {
            return (text[..e].Replace(".", "").TrimEnd('0'), int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture));
        }
        var point = text.IndexOf('.');
        var integer = point >= 0 ? text[..point] : text;
        var fraction = point >= 0 ? text[(point + 1)..] : "";
        if (integer != "0") return ((integer + fraction).TrimEnd('0'), integer.Length - 1);
        var zeros = fraction.Length - fraction.TrimStart('0').Length;
        return (fraction[zeros..], -zeros - 1);
    }

    /// <summary>Python repr of a string: single quotes unless the text has ' but no ".</summary>
    public static string StringRepr(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == quote) sb.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) sb.Append($"\\x{(int)c:x2}");
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append(quote).ToString();
    }
}
