using System.Globalization;
using System.Text;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>Tokenizes the inside of one <c>{{ ... }}</c> or <c>{% ... %}</c> tag.</summary>
sealed class ExpressionScanner(string source, SourceMap map, int start, char closeChar)
{
    static readonly string[] Operators =
    [
        "//", "**", "==", "!=", "<=", ">=",
        "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|",
    ];

    int pos = start;
    int depth;

    /// <summary>Appends the tag's tokens; returns the offset after the closing delimiter and its modifier.</summary>
    public (int AfterClose, char Modifier) ScanUntilClose(List<Token> tokens, SourcePosition tagStart)
    {
        while (true)
        {
            while (pos < source.Length && char.IsWhiteSpace(source[pos])) pos++;
            if (pos >= source.Length)
            {
                var what = closeChar == '%' ? "block tag '{%'" : "variable tag '{{'";
                throw new TemplateException($"Unclosed {what}", tagStart);
            }

            // A closing delimiter only counts outside brackets, so "{{ {'a': {}} }}" works.
            if (depth == 0)
            {
                foreach (var modifier in "-+\0")
                {
                    var close = modifier == '\0' ? $"{closeChar}}}" : $"{modifier}{closeChar}}}";
                    if (string.CompareOrdinal(source, pos, close, 0, close.Length) == 0)
                    {
                        return (pos + close.Length, modifier);
                    }
                }
            }

            tokens.Add(ScanToken());
        }
    }

    Token ScanToken()
    {
        var begin = pos;
        var position = map.At(begin);
        var c = source[pos];
        if (char.IsLetter(c) || c == '_')
        {
            while (pos < source.Length && (char.IsLetterOrDigit(source[pos]) || source[pos] == '_')) pos++;
            return new Token(TokenKind.Name, source[begin..pos], position);
        }
        if (char.IsAsciiDigit(c)) return ScanNumber(position);
        if (c is '\'' or '"') return new Token(TokenKind.String, ScanString(c, position), position);

        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(source, pos, op, 0, op.Length) != 0) continue;
            pos += op.Length;
            if (op is "(" or "[" or "{") depth++;
            else if (op is ")" or "]" or "}") depth = Math.Max(0, depth - 1);
            return new Token(TokenKind.Operator, op, position);
        }
        throw new TemplateException($"Unexpected character '{c}' in tag", position);
    }

    Token ScanNumber(SourcePosition position)
    {
        var begin = pos;
        SkipDigits();
        var isFloat = false;
        if (pos + 1 < source.Length && source[pos] == '.' && char.IsAsciiDigit(source[pos + 1]))
        {
            isFloat = true;
            pos++;
            SkipDigits();
        }
        if (pos < source.Length && source[pos] is 'e' or 'E')
        {
            var save = pos++;
            if (pos < source.Length && source[pos] is '+' or '-') pos++;
            if (pos < source.Length && char.IsAsciiDigit(source[pos]))
            {
                isFloat = true;
                SkipDigits();
            }
            else
            {
                pos = save;
            }
        }
        var text = source[begin..pos].Replace("_", "");
        return new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text, position);
    }

    void SkipDigits()
    {
        while (pos < source.Length && (char.IsAsciiDigit(source[pos]) || source[pos] == '_')) pos++;
    }

    /// <summary>Reads a quoted literal and decodes Python-style escapes (unknown ones are kept verbatim).</summary>
    string ScanString(char quote, SourcePosition position)
    {
        var sb = new StringBuilder();
        pos++;
        while (pos < source.Length && source[pos] != quote)
        {
            var c = source[pos++];
            if (c != '\\' || pos >= source.Length)
            {
                sb.Append(c);
                continue;
            }

            var e = source[pos++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '0': sb.Append('\0'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\' or '\'' or '"': sb.Append(e); break;
                case '\n': break;
                case 'x': sb.Append(ReadHexEscape(2, position)); break;
                case 'u': sb.Append(ReadHexEscape(4, position)); break;
                case 'U': sb.Append(ReadHexEscape(8, position)); break;
                default: sb.Append('\\').Append(e); break;
            }
        }
        if (pos >= source.Length) throw new TemplateException("Unterminated string literal", position);
        pos++;
        return sb.ToString();
    }

    string ReadHexEscape(int digits, SourcePosition position)
    {
        if (pos + digits > source.Length
            || !int.TryParse(source.AsSpan(pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
        {
            throw new TemplateException("Malformed escape sequence in string literal", position);
        }
        pos += digits;
        return char.ConvertFromUtf32(code);
    }
}
