using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MiniMind.Engine.Training;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Hubs;
using MiniMind.Studio.Tests.Services;

namespace MiniMind.Studio.Tests.EndToEnd;

/// <summary>
/// A user drives the real studio in Chromium (<see cref="Browser"/>; skipped, saying why, when there is none): starts a
/// tiny pretraining run, watches the loss curve grow, stops it, chats with a checkpoint, compares two checkpoints side by
/// side and evaluates one. Screenshots of each step go to artifacts/e2e beside the test assembly.
/// </summary>
public sealed class StudioJourneyTests : IClassFixture<StudioServer>
{
    readonly StudioServer server;

    public StudioJourneyTests(StudioServer server) => this.server = server;

    [BrowserFact]
    public async Task AUserTrainsWatchesStopsChatsComparesAndEvaluates()
    {
        using var playwright = await Playwright.CreateAsync();
        var (browser, page) = await BrowserPage.Launch(playwright, 1280);
        await using var _ = browser;

        // 1. the studio opens on its home page
        await page.Open(server.BaseAddress, "/");
        await Assertions.Expect(page.Locator("#engine-status")).ToContainTextAsync("device cpu");
        // how CPU threads are chosen, with what training would get now (measured off the render thread)
        await Assertions.Expect(page.Locator("#thread-choice")).ToContainTextAsync("1 to decode one row");
        await Assertions.Expect(page.Locator("#thread-choice")).ToContainTextAsync("cores free");
        await page.Shot("01-home");

        // 2. a tiny pretraining run on the demo data, long enough to be stopped
        await page.Open(server.BaseAddress, "/train");
        // a bad value is named under the field being edited, and Start waits
        await page.ClickAsync("#f-batch_size");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("0", new() { Delay = 100 });
        await page.Keyboard.PressAsync("Tab"); // leaving the field runs the field's own validation too
        await Assertions.Expect(page.Locator(".mud-input-control:has(#f-batch_size) .mud-input-helper-text.mud-input-error")).ToContainTextAsync("Must be positive.");
        await Assertions.Expect(page.Locator("#train-start")).ToBeDisabledAsync();
        await page.FillAsync("#f-max_steps", "500");
        await page.FillAsync("#f-max_seq_len", "32");
        await page.FillAsync("#f-batch_size", "2");
        await page.FillAsync("#f-accumulation_steps", "1");
        await Assertions.Expect(page.Locator("#train-start")).ToBeEnabledAsync();
        await page.ClickAsync("#train-start");
        await Assertions.Expect(page.Locator("#live-run")).ToHaveAttributeAsync("data-status", "running", new() { Timeout = 120_000 });
        // notifications stack from the bottom of the window, away from the live run's controls at the top (stacked from the
        // top right, a second one covered Stop)
        var note = await page.Locator(".mud-snackbar").First.BoundingBoxAsync();
        var stopButton = await page.Locator("#run-stop").BoundingBoxAsync();
        Assert.NotNull(note);
        Assert.NotNull(stopButton);
        Assert.True(note.Y > 900 / 2 && note.Y > stopButton.Y + stopButton.Height, $"the notification ({note.Y}) is not below Stop ({stopButton.Y})");

        // 3. the loss curve grows point by point
        var chart = page.Locator("#loss-chart-wrapper");
        await page.WaitForFunctionAsync("() => +document.querySelector('#loss-chart-wrapper').dataset.points >= 3", null, new() { Timeout = 120_000 });
        var early = int.Parse((await chart.GetAttributeAsync("data-points"))!);
        await page.WaitForFunctionAsync($"() => +document.querySelector('#loss-chart-wrapper').dataset.points > {early + 2}", null, new() { Timeout = 120_000 });
        // plotly draws in the browser after the server's update: wait for its trace rather than count at once
        await Assertions.Expect(page.Locator("#loss-chart .scatterlayer .trace").First).ToBeAttachedAsync(new() { Timeout = 30_000 });
        // a legend only where it tells traces apart (loss and its average), not beside a chart's single trace
        await Assertions.Expect(page.Locator("#loss-chart .legend")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#lr-chart .scatterlayer .trace")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#lr-chart .legend")).ToHaveCountAsync(0);
        var lrBox = await page.Locator("#lr-chart").BoundingBoxAsync();
        Assert.True(lrBox is { Width: >= 250 }, $"the learning-rate chart is {lrBox?.Width} px wide");
        // grey grid lines (plotly's own are near-white, glaring on the dark theme)
        Assert.Contains("stroke: rgb(128, 128, 128)", await page.Locator("#lr-chart .gridlayer path").First.GetAttributeAsync("style"));
        await page.Shot("02-training");

        // 4. stop it
        await page.ClickAsync("#run-stop");
        await Assertions.Expect(page.Locator("#live-run")).ToHaveAttributeAsync("data-status", "cancelled", new() { Timeout = 120_000 });
        await page.Shot("03-stopped");

        // two checkpoints to talk to (real training runs, a few steps each)
        var training = server.Services.GetRequiredService<TrainingService>();
        foreach (var name in new[] { "e2e_first", "e2e_second" })
        {
            var record = training.Start(TinyRun.Pretrain(3, name) with { Seed = name.Length });
            await WaitFinished(training, record.Id);
        }

        // 5. chat: a streamed answer from a checkpoint
        await page.Open(server.BaseAddress, "/chat");
        await page.FillAsync("#max-new-tokens", "16");
        // a two-line message: Shift+Enter breaks the line, Enter sends
        await page.ClickAsync("#chat-input");
        await page.Keyboard.TypeAsync("Where does Alice live?");
        await page.Keyboard.PressAsync("Shift+Enter");
        await page.Keyboard.TypeAsync("Answer briefly.");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator(".chat-bubble.user").First).ToContainTextAsync("Answer briefly.");
        Assert.Equal("Where does Alice live?\nAnswer briefly.", (await page.Locator(".chat-bubble.user .chat-text").First.InnerTextAsync()).Trim());
        var answer = page.Locator(".chat-bubble.assistant").First;
        await Assertions.Expect(answer).ToHaveAttributeAsync("data-finish", new System.Text.RegularExpressions.Regex("stop|length"), new() { Timeout = 120_000 });
        Assert.Contains("tokens in", await answer.Locator(".chat-footer").InnerTextAsync());
        await page.Shot("04-chat");

        // 6. compare two checkpoints side by side, same prompt, seed and settings
        await page.Open(server.BaseAddress, "/compare");
        await page.FillAsync("#max-new-tokens", "16");
        await page.FillAsync("#compare-input", "What is 3 plus 4?");
        await page.ClickAsync("#compare-run");
        foreach (var pane in new[] { "#compare-pane-0", "#compare-pane-1" })
            await Assertions.Expect(page.Locator($"{pane} .chat-bubble.assistant")).ToHaveAttributeAsync("data-finish", new System.Text.RegularExpressions.Regex("stop|length"), new() { Timeout = 120_000 });
        var left = await page.Locator("#compare-pane-0").BoundingBoxAsync();
        var right = await page.Locator("#compare-pane-1").BoundingBoxAsync();
        Assert.True(right!.X > left!.X + left.Width / 2 && Math.Abs(right.Y - left.Y) < 5, "the two answers sit side by side");
        await page.Shot("05-compare");

        // back in Chat (after another page, as after a reload), the conversation is where it was left, and listed
        await page.Open(server.BaseAddress, "/chat");
        await Assertions.Expect(page.Locator(".chat-bubble.user .chat-text")).ToHaveTextAsync("Where does Alice live?\nAnswer briefly.");
        await Assertions.Expect(page.Locator(".chat-conversation")).ToHaveCountAsync(1);
        Assert.Matches("/chat/[0-9]{8}-", page.Url);

        // 7. evaluate the newest checkpoint on three questions of the demo quiz: a result row and the radar
        await page.Open(server.BaseAddress, "/evaluate");
        await page.FillAsync("#limit", "3");
        await Assertions.Expect(page.Locator("#evaluate-run")).ToBeEnabledAsync();
        await page.ClickAsync("#evaluate-run");
        await Assertions.Expect(page.Locator("#evaluate-progress")).ToHaveAttributeAsync("data-running", "false", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#evaluate-results tbody tr")).ToContainTextAsync("/ 3");
        // one benchmark: bars (a radar of one axis is a point), and the results table fits its box (no columns cut off)
        await Assertions.Expect(page.Locator("#evaluate-radar")).ToHaveAttributeAsync("data-kind", "bars");
        await Assertions.Expect(page.Locator("#evaluate-bars-chart .barlayer")).ToHaveCountAsync(1);
        Assert.True(await page.Locator("#evaluate-results .mud-table-container").EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth + 1"),
            "the results table is wider than its box");
        await Assertions.Expect(page.Locator("#evaluate-history tbody tr")).ToHaveCountAsync(1);
        await page.Shot("06-evaluate");
    }

    static async Task WaitFinished(TrainingService training, string id)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (training.Find(id) is { IsActive: true })
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"run {id} did not finish");
            await Task.Delay(200);
        }
        Assert.Equal(RunStatus.Completed, training.Find(id)!.Status);
    }
}
