using System.Globalization;
using System.Text;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>Tokenizes the inside of one <c>{{ ... }}</c> or <c>{% ... %}</c> tag.</summary>
internal sealed class ExpressionScanner(string source, SourceMap map, int start, char closeChar)
{
    private static readonly string[] Operators =
    [
        "//", "**", "==", "!=", "<=", ">=",
        "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|",
    ];

    private int _pos = start;
    private int _depth;

    /// <summary>Appends the tag's tokens; returns the offset after the closing delimiter and its modifier.</summary>
    public (int AfterClose, char Modifier) ScanUntilClose(List<Token> tokens, SourcePosition tagStart)
    {
        while (true)
        {
            while (_pos < source.Length && char.IsWhiteSpace(source[_pos])) _pos++;
            if (_pos >= source.Length)
            {
                var what = closeChar == '%' ? "block tag '{%'" : "variable tag '{{'";
                throw new TemplateException($"Unclosed {what}", tagStart);
            }

            // A closing delimiter only counts outside brackets, so "{{ {'a': {}} }}" works.
            if (_depth == 0)
            {
                foreach (var modifier in "-+\0")
                {
                    var close = modifier == '\0' ? $"{closeChar}}}" : $"{modifier}{closeChar}}}";
                    if (string.CompareOrdinal(source, _pos, close, 0, close.Length) == 0)
                    {
                        return (_pos + close.Length, modifier);
                    }
                }
            }

            tokens.Add(ScanToken());
        }
    }

    private Token ScanToken()
    {
        var begin = _pos;
        var position = map.At(begin);
        var c = source[_pos];
        if (char.IsLetter(c) || c == '_')
        {
            while (_pos < source.Length && (char.IsLetterOrDigit(source[_pos]) || source[_pos] == '_')) _pos++;
            return new Token(TokenKind.Name, source[begin.._pos], position);
        }
        if (char.IsAsciiDigit(c)) return ScanNumber(position);
        if (c is '\'' or '"') return new Token(TokenKind.String, ScanString(c, position), position);

        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(source, _pos, op, 0, op.Length) != 0) continue;
            _pos += op.Length;
            if (op is "(" or "[" or "{") _depth++;
            else if (op is ")" or "]" or "}") _depth = Math.Max(0, _depth - 1);
            return new Token(TokenKind.Operator, op, position);
        }
        throw new TemplateException($"Unexpected character '{c}' in tag", position);
    }

    private Token ScanNumber(SourcePosition position)
    {
        var begin = _pos;
        SkipDigits();
        var isFloat = false;
        if (_pos + 1 < source.Length && source[_pos] == '.' && char.IsAsciiDigit(source[_pos + 1]))
        {
            isFloat = true;
            _pos++;
            SkipDigits();
        }
        if (_pos < source.Length && source[_pos] is 'e' or 'E')
        {
            var save = _pos++;
            if (_pos < source.Length && source[_pos] is '+' or '-') _pos++;
            if (_pos < source.Length && char.IsAsciiDigit(source[_pos]))
            {
                isFloat = true;
                SkipDigits();
            }
            else
            {
                _pos = save;
            }
        }
        var text = source[begin.._pos].Replace("_", "");
        return new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text, position);
    }

    private void SkipDigits()
    {
        while (_pos < source.Length && (char.IsAsciiDigit(source[_pos]) || source[_pos] == '_')) _pos++;
    }

    /// <summary>Reads a quoted literal and decodes Python-style escapes (unknown ones are kept verbatim).</summary>
    private string ScanString(char quote, SourcePosition position)
    {
        var sb = new StringBuilder();
        _pos++;
        while (_pos < source.Length && source[_pos] != quote)
        {
            var c = source[_pos++];
            if (c != '\\' || _pos >= source.Length)
            {
                sb.Append(c);
                continue;
            }

            var e = source[_pos++];
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
        if (_pos >= source.Length) throw new TemplateException("Unterminated string literal", position);
        _pos++;
        return sb.ToString();
    }

    private string ReadHexEscape(int digits, SourcePosition position)
    {
        if (_pos + digits > source.Length
            || !int.TryParse(source.AsSpan(_pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
        {
            throw new TemplateException("Malformed escape sequence in string literal", position);
        }
        _pos += digits;
        return char.ConvertFromUtf32(code);
    }
}
