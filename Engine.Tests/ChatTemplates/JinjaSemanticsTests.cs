using MiniMind.Engine.ChatTemplates;
using Xunit;

namespace MiniMind.Engine.Tests.ChatTemplates;
/// <summary>
/// Small templates per Jinja feature, each compared with Python jinja2's render in transformers'
/// environment (Fixtures/semantics/generate_expected.py holds the sources).
/// </summary>
public sealed class JinjaSemanticsTests
{
    public static TheoryData<string> Group(string group)
    {
        var data = new TheoryData<string>();
        foreach (var testCase in TemplateFixtures.Json("semantics", "semantics.json").GetProperty("cases").EnumerateArray())
        {
            if (testCase.GetProperty("group").GetString() == group) data.Add(testCase.GetProperty("name").GetString()!);
        }
        return data;
    }

    [Theory, MemberData(nameof(Group), "whitespace")]
    public void Whitespace_control_follows_trim_blocks_and_lstrip_blocks(string name) => AssertRendersLikeJinja(name);

    [Theory, MemberData(nameof(Group), "expressions")]
    public void Expressions_evaluate_with_python_semantics(string name) => AssertRendersLikeJinja(name);

    [Theory, MemberData(nameof(Group), "slices")]
    public void Slices_and_negative_indexes_work_like_python(string name) => AssertRendersLikeJinja(name);

    [Theory, MemberData(nameof(Group), "loops")]
    public void For_loops_expose_loop_variables_and_scope_like_jinja(string name) => AssertRendersLikeJinja(name);

    [Theory, MemberData(nameof(Group), "namespaces_and_set")]
    public void Set_namespace_and_macros_behave_like_jinja(string name) => AssertRendersLikeJinja(name);

    [Theory, MemberData(nameof(Group), "filters")]
    public void Filters_match_jinja_and_huggingface_tojson(string name) => AssertRendersLikeJinja(name);

    [Theory, MemberData(nameof(Group), "tests")]
    public void Is_tests_match_jinja(string name) => AssertRendersLikeJinja(name);

    [Theory, MemberData(nameof(Group), "methods")]
    public void String_and_dict_methods_match_python(string name) => AssertRendersLikeJinja(name);

    [Theory]
    [InlineData("ab", "1|b|-1")]
    [InlineData("\U0001F600ab", "2|b|-1")] // an emoji is one character to Python, two UTF-16 units to .NET
    [InlineData("\U0001F600\U0001F600b", "2|b|-1")]
    public void Find_CountsCharacters_AsSlicesDo(string s, string expected)
    {
        var template = ChatTemplate.Parse("{{ s.find('b') }}|{{ s[s.find('b'):] }}|{{ s.find('z') }}");

        Assert.Equal(expected, template.Render(new Dictionary<string, object?> { ["s"] = s }));
    }

    static void AssertRendersLikeJinja(string name)
    {
        var testCase = TemplateFixtures.Json("semantics", "semantics.json").GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == name);
        var template = ChatTemplate.Parse(testCase.GetProperty("template").GetString()!);

        var text = template.Render(TemplateFixtures.Variables(testCase.GetProperty("variables")));

        Assert.Equal(testCase.GetProperty("expected").GetString(), text);
    }
}
