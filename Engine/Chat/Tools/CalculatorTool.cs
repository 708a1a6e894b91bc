using System.Globalization;
using System.Text.Json;
using MiniMind.Engine.Data.Demo;

namespace MiniMind.Engine.Chat.Tools;

/// <summary>
/// <c>calculate(expression)</c>: arithmetic on numbers with + - * / % ^ and parentheses, read by a small parser (no code
/// is run). The result is <c>{"result": N}</c>, or an error a model can read.
/// </summary>
public sealed partial class CalculatorTool : IChatTool
{
    public string Name => BuiltInTools.CalculateName;
    public string Description => BuiltInTools.CalculateDescription;
    public string Parameters => BuiltInTools.CalculateParameters;

    public const int MaxExpressionLength = 500;

    public Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        var expression = ToolJson.RequiredString(arguments, "expression");
        return Task.FromResult(BuiltInTools.CalculateResult(Evaluate(expression)));
    }

    /// <summary>The value of <paramref name="expression"/>; a <see cref="ToolException"/> saying what is wrong otherwise.</summary>
    public static double Evaluate(string expression)
    {
        if (expression.Length > MaxExpressionLength) throw new ToolException($"the expression is longer than {MaxExpressionLength} characters");
        var text = expression.Replace('×', '*').Replace('÷', '/').Replace('−', '-').Replace('（', '(').Replace('）', ')').Replace("**", "^");
        var parser = new Parser(text);
        var value = parser.Sum();
        parser.SkipSpaces();
        if (!parser.AtEnd) throw new ToolException($"unexpected \"{text[parser.Position]}\" at position {parser.Position + 1}");
        if (double.IsNaN(value) || double.IsInfinity(value)) throw new ToolException("the result is not a finite number (a division by zero?)");
        return value;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{1,3}(,\d{3})+(\.\d+)?$")]
    private static partial System.Text.RegularExpressions.Regex ThousandsSeparated();

    sealed class Parser(string text)
    {
        int depth;
        public int Position { get; private set; }
        public bool AtEnd => Position >= text.Length;

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(text[Position])) Position++;
        }

        bool Take(char c)
        {
            SkipSpaces();
            if (AtEnd || text[Position] != c) return false;
            Position++;
            return true;
        }

        public double Sum()
        {
            var value = Product();
            while (true)
            {
                if (Take('+')) value += Product();
                else if (Take('-')) value -= Product();
                else return value;
            }
        }

        double Product()
        {
            var value = Power();
            while (true)
            {
                if (Take('*')) value *= Power();
                else if (Take('/')) value /= Power();
                else if (Take('%')) value %= Power();
                else return value;
            }
        }

        double Power()
        {
            var value = Unary();
            return Take('^') ? Math.Pow(value, Power()) : value; // right-associative
        }

        double Unary()
        {
            if (Take('-')) return -Unary();
            if (Take('+')) return Unary();
            return Atom();
        }

        double Atom()
        {
            if (Take('('))
            {
                if (++depth > 50) throw new ToolException("the expression nests parentheses too deeply");
                var value = Sum();
                if (!Take(')')) throw new ToolException("a parenthesis is not closed");
                depth--;
                return value;
            }
            SkipSpaces();
            var start = Position;
            while (!AtEnd && (char.IsAsciiDigit(text[Position]) || text[Position] is '.' or ',')) Position++;
            if (start == Position) throw new ToolException(AtEnd ? "the expression ends where a number should be" : $"expected a number at position {start + 1}, found \"{text[start]}\"");
            var written = text[start..Position];
            // a comma only separates thousands ("1,250"); "3,5" is not a number here
            if (written.Contains(',') && !ThousandsSeparated().IsMatch(written)) throw new ToolException($"\"{written}\" is not a number (commas only separate thousands)");
            var number = written.Replace(",", "");
            return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new ToolException($"\"{number}\" is not a number");
        }
    }
}
