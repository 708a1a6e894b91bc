using MiniMind.Engine.ChatTemplates;
using Xunit;

namespace MiniMind.Engine.Tests.ChatTemplates;
/// <summary>Headline behaviours spelled out with literal expectations (the JSON corpus covers the rest).</summary>
public sealed class RenderingBehaviourTests
{
    static readonly List<object?> Messages =
    [
        new Dictionary<string, object?> { ["role"] = "system", ["content"] = "S" },
        new Dictionary<string, object?> { ["role"] = "user", ["content"] = "U1" },
        new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = "A1" },
        new Dictionary<string, object?> { ["role"] = "user", ["content"] = "U2" },
    ];

    static string Render(string source, object? messages = null) =>
        ChatTemplate.Parse(source).Render(new Dictionary<string, object?> { ["messages"] = messages ?? Messages });

    [Fact]
    public void Block_tags_on_their_own_lines_leave_no_blank_lines()
    {
        const string source = """
            <msgs>
              {% for m in messages %}
                {% if m.role == 'user' %}
              {{ m.content }}
                {% endif %}
              {% endfor %}
            </msgs>
            """;

        Assert.Equal("<msgs>\n  U1\n  U2\n</msgs>", Render(source));
    }

    [Fact]
    public void Dash_modifiers_strip_whitespace_including_newlines()
    {
        Assert.Equal("[U1|U2]", Render("[\n  {%- for m in messages if m.role == 'user' -%}\n  {{ m.content }}{{ '|' if not loop.last }}\n  {%- endfor -%}\n]"));
    }

    [Fact]
    public void Slices_and_negative_indexes_select_like_python()
    {
        Assert.Equal("U2,A1,U1,S | U1 | U2 | A1",
            Render("{{ messages[::-1] | map(attribute='content') | join(',') }} | {{ messages[1:][0].content }} | {{ messages[-1].content }} | {{ messages[:-1][-1].content }}"));
    }

    [Fact]
    public void Loop_variables_describe_the_position_in_the_filtered_sequence()
    {
        Assert.Equal("1/2 first U1 rev2; 2/2 last U2 rev1; ",
            Render("{% for m in messages if m.role == 'user' %}{{ loop.index }}/{{ loop.length }} {{ 'first' if loop.first }}{{ 'last' if loop.last }} {{ m.content }} rev{{ loop.revindex }}; {% endfor %}"));
    }

    [Fact]
    public void Namespace_attributes_persist_across_loop_iterations_while_plain_sets_do_not()
    {
        const string source = "{% set ns = namespace(last_user=-1) %}{% set plain = -1 %}" +
            "{% for m in messages %}{% if m.role == 'user' %}{% set ns.last_user = loop.index0 %}{% set plain = loop.index0 %}{% endif %}{% endfor %}" +
            "{{ ns.last_user }} {{ plain }}";

        Assert.Equal("3 -1", Render(source));
    }

    [Fact]
    public void Missing_keys_are_undefined_and_get_returns_none()
    {
        Assert.Equal("False|None|x|",
            Render("{{ messages[0].tool_calls is defined }}|{{ messages[0].get('reasoning_content') }}|{{ messages[0].get('nope', 'x') }}|{{ messages[0].nope }}"));
    }

    [Fact]
    public void Python_values_render_like_str()
    {
        var variables = new Dictionary<string, object?>
        {
            ["n"] = null, ["t"] = true, ["i"] = 3, ["l"] = 4L, ["d"] = 2.0, ["f"] = 0.5f, ["list"] = new[] { "a", "b" },
        };

        Assert.Equal("None True 3 4 2.0 0.5 ['a', 'b']", ChatTemplate.Parse("{{ n }} {{ t }} {{ i }} {{ l }} {{ d }} {{ f }} {{ list }}").Render(variables));
    }
}
