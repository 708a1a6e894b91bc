using System.Text.RegularExpressions;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// Splits a template into text and tag tokens, applying whitespace control the way
/// HuggingFace's Jinja environment does: <c>trim_blocks=True, lstrip_blocks=True</c>, plus the
/// per-tag <c>-</c> (strip) and <c>+</c> (keep) modifiers. Comments are dropped here and
/// <c>{% raw %}</c> bodies become plain text.
/// </summary>
sealed partial class Lexer
{
    readonly string _source;
    readonly SourceMap map;
    readonly List<Token> _tokens = [];
    int pos;

    Lexer(string source)
    {
        _source = source;
        map = new SourceMap(source);
    }

    public static List<Token> Tokenize(string source)
    {
        var lexer = new Lexer(NormalizeNewlines(source));
        lexer.Run();
        return lexer._tokens;
    }

    [GeneratedRegex(@"\G\{%([-+]?)\s*raw\s*(-?)%\}")]
    private static partial Regex RawBegin();

    [GeneratedRegex(@"\{%([-+]?)\s*endraw\s*([-+]?)%\}")]
    private static partial Regex RawEnd();

    /// <summary>
    /// Jinja turns every \r\n or \r into \n and, with its default keep_trailing_newline=False,
    /// drops one newline at the very end of the template.
    /// </summary>
    static string NormalizeNewlines(string source)
    {
        var text = source.Replace("\r\n", "\n").Replace('\r', '\n');
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    void Run()
    {
        while (pos < _source.Length)
        {
            var open = FindTagStart(pos);
            if (open < 0)
            {
                EmitText(_source[pos..], pos);
                break;
            }

            var kind = _source[open + 1];
            var modifier = open + 2 < _source.Length ? _source[open + 2] : '\0';
            var isBlockLike = kind != '{';
            EmitText(StripBeforeTag(_source[pos..open], pos, modifier, isBlockLike), pos);

            var raw = kind == '%' ? RawBegin().Match(_source, open) : null;
            if (raw is { Success: true }) LexRaw(open, raw);
            else if (kind == '#') LexComment(open);
            else LexTag(open, kind == '%', modifier is '-' or '+' ? open + 3 : open + 2);
        }

        _tokens.Add(new Token(TokenKind.End, "", map.At(_source.Length)));
    }

    int FindTagStart(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#') return i;
        }
        return -1;
    }

    /// <summary>Whitespace handling for the text that precedes a tag.</summary>
    string StripBeforeTag(string text, int textStart, char modifier, bool isBlockLike)
    {
        if (modifier == '-') return text.TrimEnd();
        if (modifier == '+' || !isBlockLike) return text;

        // lstrip_blocks: drop spaces and tabs between the start of the line and a block or comment tag.
        var lineStart = text.LastIndexOf('\n') + 1;
        var atLineStart = lineStart > 0 || textStart == 0 || _source[textStart - 1] == '\n';
        if (!atLineStart) return text;
        for (var i = lineStart; i < text.Length; i++)
        {
            if (text[i] is not (' ' or '\t')) return text;
        }
        return text[..lineStart];
    }

    /// <summary>Moves past a tag's closing delimiter, honouring <c>-</c> and trim_blocks.</summary>
    void SkipAfterTag(int afterClose, char closeModifier, bool trimNewline)
    {
        pos = afterClose;
        if (closeModifier == '-')
        {
            while (pos < _source.Length && char.IsWhiteSpace(_source[pos])) pos++;
        }
        else if (closeModifier != '+' && trimNewline && pos < _source.Length && _source[pos] == '\n')
        {
            pos++;
        }
    }

    void LexComment(int open)
    {
        var close = _source.IndexOf("#}", open + 2, StringComparison.Ordinal);
        if (close < 0) throw new TemplateException("Unclosed comment '{#'", map.At(open));
        SkipAfterTag(close + 2, _source[close - 1], trimNewline: true);
    }

    void LexRaw(int open, Match begin)
    {
        var end = RawEnd().Match(_source, begin.Index + begin.Length);
        if (!end.Success) throw new TemplateException("Unclosed '{% raw %}' block, expected '{% endraw %}'", map.At(open));

        // Jinja applies no trim_blocks after '{% raw %}', only the explicit '-' strip.
        var bodyStart = begin.Index + begin.Length;
        if (begin.Groups[2].Value == "-")
        {
            while (bodyStart < end.Index && char.IsWhiteSpace(_source[bodyStart])) bodyStart++;
        }
        var endModifier = end.Groups[1].Value is [var m] ? m : '\0';
        EmitText(StripBeforeTag(_source[bodyStart..end.Index], bodyStart, endModifier, isBlockLike: true), bodyStart);
        var closeModifier = end.Groups[2].Value is [var c] ? c : '\0';
        SkipAfterTag(end.Index + end.Length, closeModifier, trimNewline: true);
    }

    void LexTag(int open, bool isBlock, int contentStart)
    {
        _tokens.Add(new Token(isBlock ? TokenKind.BlockBegin : TokenKind.VariableBegin, isBlock ? "{%" : "{{", map.At(open)));
        var scanner = new ExpressionScanner(_source, map, contentStart, isBlock ? '%' : '}');
        var (afterClose, closeModifier) = scanner.ScanUntilClose(_tokens, map.At(open));
        _tokens.Add(new Token(isBlock ? TokenKind.BlockEnd : TokenKind.VariableEnd, isBlock ? "%}" : "}}", map.At(afterClose - 2)));
        SkipAfterTag(afterClose, closeModifier, trimNewline: isBlock);
    }

    void EmitText(string text, int start)
    {
        if (text.Length > 0) _tokens.Add(new Token(TokenKind.Text, text, map.At(start)));
    }
}
