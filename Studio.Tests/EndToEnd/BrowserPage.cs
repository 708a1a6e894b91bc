using Microsoft.Playwright;

namespace MiniMind.Studio.Tests.EndToEnd;

/// <summary>What the browser tests share: Chromium launched headless as this machine allows, pages of the studio, screenshots.</summary>
public static class BrowserPage
{
    /// <summary>Screenshots of the browser tests, beside the test assembly.</summary>
    public static readonly string Artifacts = System.IO.Path.Combine(AppContext.BaseDirectory, "artifacts", "e2e");

    /// <summary>Headless Chromium (<see cref="Browser.Path"/>) and a page of the given width, with a one-minute default timeout.</summary>
    public static async Task<(IBrowser Browser, IPage Page)> Launch(IPlaywright playwright, int width)
    {
        Directory.CreateDirectory(Artifacts);
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Browser.Path, Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        page.SetDefaultTimeout(60_000);
        return (browser, page);
    }

    /// <summary>Opens a studio page and waits until Blazor has made it interactive.</summary>
    public static async Task Open(this IPage page, Uri studio, string path)
    {
        await page.GotoAsync(new Uri(studio, path).ToString());
        await page.WaitForSelectorAsync("#interactive", new() { State = WaitForSelectorState.Attached });
    }

    public static Task Shot(this IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(Artifacts, name + ".png"), FullPage = true });
}
