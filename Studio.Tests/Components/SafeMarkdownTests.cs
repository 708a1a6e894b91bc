using AngleSharp.Html.Parser;
using MiniMind.Studio.Components.Shared;

namespace MiniMind.Studio.Tests.Components;

/// <summary>Untrusted text (dataset records, model answers) rendered as Markdown never carries script.</summary>
public sealed class SafeMarkdownTests
{
    public static TheoryData<string> Payloads() => [.. PayloadList];

    /// <summary>Script payloads in every form the Markdown pipeline reads (the browser test renders them too).</summary>
    public static readonly IReadOnlyList<string> PayloadList =
    [
        "![pic](http://127.0.0.1:9/x.png){onerror=alert(1)}",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](java\tscript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;&#x61;vascript&#58;alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "**bold**{onclick=alert(1)}",
        "# title {#id onmouseover=alert(1)}",
        "[x](\"onmouseover=alert(1))",
        "`<img src=x onerror=alert(1)>`",
        "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [y](javascript:alert(1)) |",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void NoPayload_RendersAnAttributeOrAddressThatRunsScript(string payload)
    {
        var html = SafeMarkdown.ToHtml(payload);
        var document = new HtmlParser().ParseDocument($"<body>{html}</body>");

        foreach (var element in document.Body!.QuerySelectorAll("*"))
        {
            Assert.DoesNotContain(element.LocalName, new[] { "script", "iframe", "object", "embed", "svg", "math", "style", "form" });
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"{payload} -> {html}");
                if (attribute.Name is "href" or "src")
                    Assert.True(SafeMarkdown.IsSafe(attribute.Value) && !attribute.Value.TrimStart().StartsWith("data:", StringComparison.OrdinalIgnoreCase), $"{payload} -> {html}");
            }
        }
    }

    [Fact]
    public void OrdinaryMarkdown_StillRenders()
    {
        var html = SafeMarkdown.ToHtml("**bold** and [a link](https://example.org/x?y=1) and `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done");

        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("href=\"https://example.org/x?y=1\"", html);
        Assert.Contains("<code>code</code>", html);
        Assert.Contains("<table>", html);
        Assert.Contains("checkbox", html);
    }

    [Theory]
    [InlineData("javascript:alert(1)", false)]
    [InlineData(" JAVASCRIPT:alert(1)", false)]
    [InlineData("&#106;avascript:alert(1)", false)]
    [InlineData("vbscript:x", false)]
    [InlineData("data:text/html,x", false)]
    [InlineData("https://example.org", true)]
    [InlineData("mailto:a@b.c", true)]
    [InlineData("/train/1", true)]
    [InlineData("#top", true)]
    [InlineData("a/b:c", true)]
    public void IsSafe_AllowsRelativeHttpAndMailtoOnly(string url, bool safe) => Assert.Equal(safe, SafeMarkdown.IsSafe(url));
}
