using MiniMind.Engine.ChatTemplates;
using Xunit;

namespace MiniMind.Engine.Tests.ChatTemplates;

public sealed class ValueFormattingTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(double.PositiveInfinity, "inf")]
    public void Floats_render_like_python_repr(double value, string expected)
    {
        Assert.Equal(expected, PyFormat.FloatRepr(value));
    }

    [Fact]
    public void Tojson_matches_python_json_dumps_for_dotnet_inputs()
    {
        var template = ChatTemplate.Parse("{{ v | tojson }}|{{ v | tojson(ensure_ascii=true) }}|{{ v | tojson(separators=[',', ':']) }}");
        var value = new Dictionary<string, object?>
        {
            ["s"] = "é\t\u0001</s>", ["i"] = 7, ["d"] = 1.0, ["b"] = false, ["n"] = null, ["l"] = new List<object?> { 1, "x" },
        };

        var text = template.Render(new Dictionary<string, object?> { ["v"] = value });

        Assert.Equal(
            """{"s": "é\t\u0001</s>", "i": 7, "d": 1.0, "b": false, "n": null, "l": [1, "x"]}|""" +
            """{"s": "\u00e9\t\u0001</s>", "i": 7, "d": 1.0, "b": false, "n": null, "l": [1, "x"]}|""" +
            """{"s":"é\t\u0001</s>","i":7,"d":1.0,"b":false,"n":null,"l":[1,"x"]}""",
            text);
    }
}
