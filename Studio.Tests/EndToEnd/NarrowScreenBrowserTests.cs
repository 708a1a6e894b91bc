using Microsoft.Playwright;
using MiniMind.Studio.Tests.Components;
using MiniMind.Studio.Tests.Hubs;

namespace MiniMind.Studio.Tests.EndToEnd;

/// <summary>On a 400 px phone screen every page fits: nothing sticks out of its panel or the screen, no label is cut short.</summary>
public sealed class NarrowScreenBrowserTests : IClassFixture<StudioServer>
{
    readonly StudioServer server;

    public NarrowScreenBrowserTests(StudioServer server) => this.server = server;

    /// <summary>
    /// Elements whose right edge passes their panel's (or the screen's), outside any horizontal scroller (a wide table
    /// may scroll inside its own box), each as "tag.class 'text' right > edge".
    /// </summary>
    const string SticksOut = """
        () => {
          const scrolls = e => { for (e = e.parentElement; e; e = e.parentElement) if (/auto|scroll|hidden/.test(getComputedStyle(e).overflowX)) return true; return false; };
          return [...document.querySelectorAll('body *')].flatMap(e => {
            const r = e.getBoundingClientRect();
            if (r.width === 0 || getComputedStyle(e).position === 'fixed' || scrolls(e)) return [];
            const panel = e.closest('.mud-paper');
            const edge = panel && panel !== e ? panel.getBoundingClientRect().right : document.documentElement.clientWidth;
            return r.right > edge + 1 ? [`${e.tagName.toLowerCase()}.${String(e.className).slice(0, 40)} '${e.textContent.trim().slice(0, 30)}' ${Math.round(r.right)} > ${Math.round(edge)}`] : [];
          }).slice(0, 5);
        }
        """;

    /// <summary>Field labels cut short (an ellipsis where the label is wider than its field), as their text.</summary>
    const string ClippedLabels = """
        () => [...document.querySelectorAll('.mud-input-label')].filter(l => l.scrollWidth > l.clientWidth + 1).map(l => l.textContent.trim())
        """;

    [BrowserFact]
    public async Task EveryPage_FitsA400PixelScreen()
    {
        foreach (var name in new[] { "full_sft_64", "rlhf_64", "demo_lora_juniper_64" })
        {
            CheckpointFiles.Tiny(server.OutDir, name);
            Thread.Sleep(20); // distinct creation times
        }
        using var playwright = await Playwright.CreateAsync();
        var (browser, page) = await BrowserPage.Launch(playwright, 400);
        await using var _ = browser;

        foreach (var path in new[] { "/", "/datasets", "/tokenizer", "/train", "/chat", "/compare", "/evaluate", "/checkpoints" })
        {
            await page.Open(server.BaseAddress, path);
            var outside = await page.EvaluateAsync<string[]>(SticksOut);
            Assert.True(outside.Length == 0, $"{path} at 400 px: {string.Join("; ", outside)}");
            var clipped = await page.EvaluateAsync<string[]>(ClippedLabels);
            Assert.True(clipped.Length == 0, $"{path} at 400 px cuts these labels short: {string.Join("; ", clipped)}");
        }

        // the newest checkpoints' chat links are on screen, not scrolled off to the right of their table
        await page.Open(server.BaseAddress, "/");
        foreach (var link in await page.Locator("#home-checkpoints a").AllAsync())
        {
            var box = await link.BoundingBoxAsync();
            Assert.True(box is { } b && b.X + b.Width <= 400, $"a chat link ends at {box?.X + box?.Width} px");
        }
        await page.Shot("narrow-home");
    }
}
