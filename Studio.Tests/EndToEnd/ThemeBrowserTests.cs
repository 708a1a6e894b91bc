using Microsoft.Playwright;
using MiniMind.Studio.Tests.Hubs;

namespace MiniMind.Studio.Tests.EndToEnd;

/// <summary>Dark mode: the Train form's labels readable (WCAG contrast), and the choice kept across a reload.</summary>
public sealed class ThemeBrowserTests : IClassFixture<StudioServer>
{
    readonly StudioServer server;

    public ThemeBrowserTests(StudioServer server) => this.server = server;

    /// <summary>The lowest WCAG contrast ratio of the Train form's field labels against the background they are drawn on.</summary>
    const string LowestLabelContrast = """
        () => {
          const rgb = s => s.match(/[\d.]+/g).map(Number);
          const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
          const background = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
          const ratios = [...document.querySelectorAll('#train-form label, #train-form .mud-input-helper-text')].map(l => {
            const [a, b] = [lum(rgb(getComputedStyle(l).color)), lum(background(l))];
            return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
          });
          const worst = Math.min(...ratios);
          const all = [...document.querySelectorAll('#train-form label, #train-form .mud-input-helper-text')];
          const at = ratios.indexOf(worst);
          window.__worstLabel = `${all[at].textContent} | ${getComputedStyle(all[at]).color} on ${background(all[at])} | ${all[at].className}`;
          return worst;
        }
        """;

    [BrowserFact]
    public async Task DarkMode_KeepsTheFormsLabelsReadable_AndIsKeptAcrossAReload()
    {
        using var playwright = await Playwright.CreateAsync();
        var (browser, page) = await BrowserPage.Launch(playwright, 1400);
        await using var _ = browser;
        await page.Open(server.BaseAddress, "/train");
        var light = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

        await page.ClickAsync("#theme-toggle");
        await page.WaitForFunctionAsync($"() => getComputedStyle(document.body).backgroundColor !== '{light}'");
        var dark = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        // the labels' colours change with a CSS transition: wait for it to end, or report the least readable label
        try
        {
            await page.WaitForFunctionAsync($"() => ({LowestLabelContrast})() >= 4.5", null, new() { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            var contrast = await page.EvaluateAsync<double>(LowestLabelContrast);
            Assert.Fail($"a label's contrast in dark mode is {contrast:F2}, under WCAG's 4.5: {await page.EvaluateAsync<string>("() => window.__worstLabel")}");
        }
        await page.Shot("theme-dark-train");

        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#interactive", new() { State = WaitForSelectorState.Attached });
        await page.WaitForFunctionAsync($"() => getComputedStyle(document.body).backgroundColor === '{dark}'");
    }
}
