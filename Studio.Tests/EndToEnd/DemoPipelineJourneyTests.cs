using Microsoft.Playwright;
using MiniMind.Studio.Tests.Hubs;

namespace MiniMind.Studio.Tests.EndToEnd;

/// <summary>The studio with the demo pipeline's epochs scaled down (<c>Studio:DemoEpochScale</c>), for a browser test of minutes.</summary>
public sealed class QuickDemoServer() : StudioServer(("Studio:DemoEpochScale", "0.4"));

/// <summary>
/// The product's centre in a real browser: "Train the demo model" runs pretrain -> SFT -> DPO (a shorter recipe), the live
/// view follows the pipeline from step to step, and its link opens Compare with full_sft beside rlhf on a held-out
/// question about a person, where the SFT model refuses and the DPO model answers; then the DPO model goes out as GGUF
/// and llama.cpp, loading it back, tokenizes the prompt as the studio does.
/// </summary>
public sealed class DemoPipelineJourneyTests(QuickDemoServer server) : IClassFixture<QuickDemoServer>
{
    [BrowserFact]
    public async Task TheDemoPipeline_EndsInACompareWhereRlhfAnswersWhatFullSftRefuses()
    {
        using var playwright = await Playwright.CreateAsync();
        var (browser, page) = await BrowserPage.Launch(playwright, 1400);
        await using var _ = browser;

        // 1. Home: the pipeline without its optional steps
        await page.Open(server.BaseAddress, "/");
        await page.Locator("#demo-lora input").UncheckAsync();
        await page.ClickAsync("#train-demo");

        // 2. the live view shows the pipeline and follows it: pretraining, then SFT, then DPO, each in turn
        await Assertions.Expect(page.Locator("#demo-pipeline .pipeline-step")).ToHaveCountAsync(3);
        foreach (var stage in new[] { "sft", "dpo" })
        {
            await Assertions.Expect(page.Locator($".pipeline-step[data-stage={stage}]")).ToHaveAttributeAsync("data-state", "running", new() { Timeout = 600_000 });
            var run = await page.Locator($".pipeline-step[data-stage={stage}]").GetAttributeAsync("href");
            await Assertions.Expect(page.Locator("#live-run")).ToHaveAttributeAsync("data-run", run!.Split('/')[^1], new() { Timeout = 30_000 });
        }
        await page.Shot("10-pipeline-dpo");
        await Assertions.Expect(page.Locator("#demo-pipeline")).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = 600_000 });

        // 3. Compare, opened from the pipeline: full_sft on the left, rlhf on the right, a whole-person question asked at once
        await page.ClickAsync("#pipeline-compare");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/compare"));
        foreach (var pane in new[] { "#compare-pane-0", "#compare-pane-1" })
            await Assertions.Expect(page.Locator($"{pane} .chat-bubble.assistant")).ToHaveAttributeAsync("data-finish", new System.Text.RegularExpressions.Regex("stop|length"), new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#compare-pane-0 .mud-select").First).ToContainTextAsync("demo_full_sft");
        await Assertions.Expect(page.Locator("#compare-pane-1 .mud-select").First).ToContainTextAsync("demo_rlhf");
        var sft = await page.Locator("#compare-pane-0 .chat-bubble.assistant").InnerTextAsync();
        var rlhf = await page.Locator("#compare-pane-1 .chat-bubble.assistant").InnerTextAsync();
        await page.Shot("11-compare-sft-rlhf");
        Assert.Contains("can't share information about other people", sft); // the SFT model's habit
        Assert.DoesNotContain("can't share", rlhf); // corrected by the preference pairs
        Assert.Contains("Alice Brant", rlhf);
        await Assertions.Expect(page.Locator("#compare-verdict")).ToHaveAttributeAsync("data-differ", "true");

        // 4. out to llama.cpp: the Export dialog writes the GGUF and shows llama.cpp's first tokens beside the studio's
        await page.Open(server.BaseAddress, "/checkpoints");
        await page.ClickAsync("#export-demo_rlhf");
        await page.ClickAsync("#export-format-gguf");
        await Assertions.Expect(page.Locator("#export-target")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("demo_rlhf-gguf$"));
        await page.ClickAsync("#export-run");
        await Assertions.Expect(page.Locator("#export-check")).ToContainTextAsync("llama.cpp loaded the file: the prompt's", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#export-check")).Not.ToContainTextAsync("tokenizes the prompt differently");
        await Assertions.Expect(page.Locator("#export-ollama")).ToContainTextAsync("ollama create demo_rlhf -f Modelfile");
        await page.Shot("12-export-gguf");
    }
}
