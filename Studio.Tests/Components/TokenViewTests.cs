using Bunit;
using MiniMind.Studio.Components.Shared;

namespace MiniMind.Studio.Tests.Components;

public sealed class TokenViewTests : StudioComponentTest
{
    [Fact]
    public void ALongText_SaysHowManyTokensItHas_AndHowManyAreShown()
    {
        var text = string.Concat(Enumerable.Repeat("hello world ", 50));

        var cut = Render<TokenView>(p => p.Add(v => v.Text, text).Add(v => v.Limit, 5));

        Assert.Matches(@"^\d+ tokens \(the first 5 shown\)$", cut.Find(".token-count").TextContent.Trim());
        Assert.Equal(5, cut.FindAll(".token").Count);
        var all = Render<TokenView>(p => p.Add(v => v.Text, "hello"));
        Assert.Matches(@"^\d+ tokens$", all.Find(".token-count").TextContent.Trim());
    }
}
