using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MiniMind.Engine.Training;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Hubs;
using MiniMind.Studio.Tests.Services;

namespace MiniMind.Studio.Tests.EndToEnd;

/// <summary>
/// A user starts a GRPO run from the Train form in Chromium and watches its reward: the stage, its sampling and reward
/// fields, the live chart of the reward and its parts, and sampled completions with their rewards in the run's log.
/// </summary>
public sealed class GrpoBrowserTests : IClassFixture<StudioServer>
{
    readonly StudioServer server;

    public GrpoBrowserTests(StudioServer server) => this.server = server;

    [BrowserFact]
    public async Task AGrpoRunFromTheTrainForm_ShowsItsRewardsLive_AndItsSamplesInTheLog()
    {
        // the stage's starting checkpoint (the demo recipe starts from demo_full_sft): a few pretraining steps stand in
        var training = server.Services.GetRequiredService<TrainingService>();
        var start = training.Start(TinyRun.Pretrain(3, DemoRecipe.SftName));
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (training.Find(start.Id) is { IsActive: true } && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.Equal(RunStatus.Completed, training.Find(start.Id)!.Status);

        using var playwright = await Playwright.CreateAsync();
        var (browser, page) = await BrowserPage.Launch(playwright, 1280);
        await using var _ = browser;
        await page.Open(server.BaseAddress, "/train");
        await page.Locator(".mud-input-control:has(#f-stage)").ClickAsync(); // the select (its input is hidden)
        await page.Locator(".mud-popover-open").GetByText("grpo", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#f-grpo_group_size")).ToHaveValueAsync("8");
        await Assertions.Expect(page.Locator("#f-reward_answer")).ToBeVisibleAsync();
        await page.FillAsync("#f-grpo_group_size", "4");
        await page.FillAsync("#f-grpo_max_new_tokens", "8");
        await page.FillAsync("#f-max_steps", "22"); // the log shows samples of batches 1 and 21
        await Assertions.Expect(page.Locator("#train-start")).ToBeEnabledAsync();
        await page.Shot("grpo-01-form");
        await page.ClickAsync("#train-start");

        await Assertions.Expect(page.Locator("#live-run")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 180_000 });
        await Assertions.Expect(page.Locator("#stage-chart .scatterlayer .trace").First).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#length-chart .scatterlayer .trace")).ToHaveCountAsync(1); // tokens, apart from the 0..1 rewards
        Assert.DoesNotContain("completion_length", await page.Locator("#stage-chart").InnerTextAsync());
        await Assertions.Expect(page.Locator("#run-log")).ToContainTextAsync("step 22/22", new() { Timeout = 30_000 }); // steps arrive in batches, maybe after the end
        var log = await page.Locator("#run-log").InnerTextAsync();
        var samples = log.Split('\n').Where(l => l.Contains("sample: ", StringComparison.Ordinal) && l.Contains("(reward ", StringComparison.Ordinal)).ToList();
        Assert.True(samples.Count == 4, log); // best and worst, twice
        Assert.All(samples, l => Assert.Contains(" running: sample: ", l)); // a message during the steps keeps the run's status
        var run = training.Runs().First(r => r.Stage == TrainingStage.Grpo);
        var steps = training.Metrics(run.Id);
        Assert.Equal(22, steps.Count);
        Assert.All(steps, s => Assert.InRange(s.Extra!["reward"], 0, 1));
        Assert.Equal(Path.Combine(server.OutDir, DemoRecipe.GrpoName + ".safetensors"), run.Output);
        await page.Shot("grpo-02-run");
    }
}
