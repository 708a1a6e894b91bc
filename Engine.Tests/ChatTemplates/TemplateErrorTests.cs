using MiniMind.Engine.ChatTemplates;
using Xunit;

namespace MiniMind.Engine.Tests.ChatTemplates;

public sealed class TemplateErrorTests
{
    static readonly Dictionary<string, object?> NoVariables = [];

    [Theory]
    [InlineData("hello\n  {% include 'other.jinja' %}", "Unsupported tag 'include'", 2, 6)]
    [InlineData("{% for x in xs %}\n{{ x | shout }}{% endfor %}", "Unsupported filter 'shout'", 2, 8)]
    [InlineData("{% if x is fancy %}{% endif %}", "Unsupported test 'fancy'", 1, 12)]
    [InlineData("{% if true %}\n{% endfor %}", "Unexpected tag 'endfor'", 2, 4)]
    [InlineData("a\n{% for x in xs %}{{ x }}", "Unclosed 'for' tag: expected 'endfor'", 2, 4)]
    [InlineData("{{ 'open", "Unterminated string literal", 1, 4)]
    [InlineData("{{ 1 + }}", "Expected an expression but found '}}'", 1, 8)]
    [InlineData("{% break %}", "'break' outside of a loop", 1, 4)]
    [InlineData("{% for x in xs recursive %}{% endfor %}", "Unsupported recursive for loop", 1, 16)]
    [InlineData("x {{ y ", "Unclosed variable tag '{{'", 1, 3)]
    [InlineData("{# never closed", "Unclosed comment '{#'", 1, 1)]
    [InlineData("{{ a ! b }}", "Unexpected character '!' in tag", 1, 6)]
    public void Malformed_or_unsupported_templates_fail_to_parse_naming_the_construct_and_position(
        string source, string message, int line, int column)
    {
        var error = Assert.Throws<TemplateException>(() => ChatTemplate.Parse(source));

        Assert.Contains(message, error.Message);
        Assert.Equal(new SourcePosition(line, column), error.Position);
        Assert.Contains($"line {line}, column {column}", error.Message);
    }

    [Fact]
    public void Raise_exception_surfaces_the_templates_own_message()
    {
        // The role check from the Llama-2 / Mistral chat templates.
        var template = ChatTemplate.Parse(
            "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}" +
            "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% endfor %}");
        var messages = new List<object?>
        {
            new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = "first" },
        };

        var error = Assert.Throws<TemplateException>(() => template.RenderChat(messages, false, null, null));

        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", error.Message);
    }

    [Theory]
    [InlineData("{{ nothing.role }}", "'nothing' is undefined", 1, 11)]
    [InlineData("{{ 1 + 'a' }}", "unsupported operand type(s) for +: 'int' and 'str'", 1, 6)]
    [InlineData("{{ nothing + 1 }}", "'nothing' is undefined", 1, 12)]
    [InlineData("\n{{ {'a': nothing} | tojson }}", "'nothing' is undefined", 2, 21)]
    [InlineData("{% set s = 'x' %}{% set s.attr = 1 %}", "Cannot assign attribute on non-namespace object 's'", 1, 25)]
    [InlineData("{% for a, b in [[1, 2, 3]] %}{% endfor %}", "expected 2 values to unpack, got 3", 1, 4)]
    [InlineData("{{ 1 // 0 }}", "division by zero", 1, 6)]
    public void Runtime_errors_carry_the_failing_expressions_position(string source, string message, int line, int column)
    {
        var template = ChatTemplate.Parse(source);

        var error = Assert.Throws<TemplateException>(() => template.Render(NoVariables));

        Assert.Contains(message, error.Message);
        Assert.Equal(new SourcePosition(line, column), error.Position);
    }
}
