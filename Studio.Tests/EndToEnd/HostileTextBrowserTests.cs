using System.Text.Json;
using Microsoft.Playwright;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using MiniMind.Studio.Tests.Components;
using MiniMind.Studio.Tests.Hubs;

namespace MiniMind.Studio.Tests.EndToEnd;

/// <summary>
/// A studio whose dataset folder holds records made of script payloads (<see cref="SafeMarkdownTests.PayloadList"/>), a
/// file and a checkpoint whose names are payloads too, and a tiny checkpoint to chat with.
/// </summary>
public sealed class HostileTextServer : StudioServer
{
    public const string HostileName = "<img src=x onerror=alert(1)>";

    static readonly string Data = Directory.CreateTempSubdirectory("minimind-hostile-").FullName;

    public HostileTextServer() : base(("Studio:DatasetFolders:0", WriteData()))
    {
        var config = MiniMindConfig.FromJson(JsonDocument.Parse(File.ReadAllText(Repo.Fixture("tiny-dense", "golden.json"))).RootElement.GetProperty("config").GetRawText());
        using var tiny = ModelCheckpoint.Load(Repo.Fixture("tiny-dense", "weights.safetensors"), config);
        foreach (var name in new[] { "hostile", HostileName })
            ModelCheckpoint.Save(tiny, Path.Combine(OutDir, name + ".safetensors"), new CheckpointInfo { Config = config, Stage = "sft", Tokenizer = Repo.Fixture("seed-tokenizer") });
    }

    public static IReadOnlyList<string> Payloads => SafeMarkdownTests.PayloadList;

    static string WriteData()
    {
        string Line(object record) => JsonSerializer.Serialize(record);
        File.WriteAllLines(Path.Combine(Data, "hostile_sft.jsonl"), Payloads.Select(p => Line(new
        {
            conversations = new object[] { new { role = "user", content = p }, new { role = "assistant", content = p, reasoning_content = p } },
        })));
        File.WriteAllLines(Path.Combine(Data, "hostile_dpo.jsonl"), Payloads.Select(p => Line(new
        {
            chosen = new object[] { new { role = "user", content = p }, new { role = "assistant", content = p } },
            rejected = new object[] { new { role = "user", content = p }, new { role = "assistant", content = p } },
        })));
        // a pretraining file, a line that is not JSON at all (shown raw), and a file whose name is a payload
        File.WriteAllLines(Path.Combine(Data, "hostile_pretrain.jsonl"), [.. Payloads.Select(p => Line(new { text = p })), HostileName + "{"]);
        File.WriteAllLines(Path.Combine(Data, HostileName + ".jsonl"), [Line(new { text = "plain" })]);
        return Data;
    }

    public override void Dispose()
    {
        base.Dispose();
        Directory.Delete(Data, recursive: true);
    }
}

/// <summary>
/// Untrusted text in the real browser: dataset records, file and checkpoint names, chat messages and token pieces made of
/// script payloads run nothing on the Datasets, Chat, Compare, Tokenizer, Evaluate and Checkpoints pages. Every payload
/// that would run calls alert, confirm or prompt, which the page counts; and the rendered DOM holds no element,
/// attribute or address that could run script later (on a click or a hover).
/// </summary>
public sealed class HostileTextBrowserTests(HostileTextServer server) : IClassFixture<HostileTextServer>
{
    /// <summary>Elements of the page's content that could run script: their outer HTML, the empty list when none.</summary>
    const string Dangerous = """
        () => [...document.querySelectorAll('.mud-main-content *')].filter(e =>
            // (the studio's own icons are inline SVG: an SVG is caught by what it holds, script, handlers or animation)
            ['SCRIPT', 'IFRAME', 'FRAME', 'OBJECT', 'EMBED', 'FORM', 'BASE', 'META', 'FOREIGNOBJECT', 'ANIMATE', 'SET', 'HANDLER'].includes(e.tagName.toUpperCase())
            || [...e.attributes].some(a => a.name.toLowerCase().startsWith('on')
                || (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name.toLowerCase())
                    && /^\s*(javascript|vbscript|data):/i.test(a.value.replace(/[\u0000-\u0020]/g, ''))))
        ).map(e => e.outerHTML.slice(0, 200))
        """;

    static readonly System.Text.RegularExpressions.Regex Finished = new("stop|length");

    [BrowserFact]
    public async Task ScriptInDataNamesAndMessages_RunsNowhere()
    {
        using var playwright = await Playwright.CreateAsync();
        var (browser, page) = await BrowserPage.Launch(playwright, 1400);
        await using var _ = browser;
        int dialogs = 0;
        page.Dialog += async (_, dialog) => { dialogs++; await dialog.DismissAsync(); };
        var seen = new List<string>();
        var failures = new List<string>();

        // a surface: a page, or a dataset file's records; checked after every scroll step
        async Task Check(string surface, string when = "")
        {
            var where = $"{surface} {when}".Trim();
            // images that error (a payload's src) have fired their handlers once every image has settled
            await page.WaitForFunctionAsync("() => [...document.images].every(i => i.complete)");
            var found = await page.EvaluateAsync<string[]>(Dangerous);
            if (found.Length > 0) failures.Add($"{where}: {string.Join("\n", found)}");
            if (dialogs > 0) failures.Add($"{where}: a payload ran ({dialogs} dialogs)");
            dialogs = 0;
            if (!seen.Contains(surface)) seen.Add(surface);
        }

        // Datasets: every record of every file, scrolled into view so the virtualized list renders each one
        await page.Open(server.BaseAddress, "/datasets");
        await Assertions.Expect(page.Locator(".dataset-item", new() { HasText = HostileTextServer.HostileName + ".jsonl" })).ToBeVisibleAsync();
        await Check("datasets list");
        foreach (var (file, lines) in new[] { ("hostile_sft.jsonl", 23), ("hostile_dpo.jsonl", 23), ("hostile_pretrain.jsonl", 24) })
        {
            await page.Locator(".dataset-item", new() { HasText = file }).ClickAsync();
            // this file's records, not the previous file's still on screen while this one opens
            var scroller = page.Locator($"#record-scroller[data-file$='{file}']");
            await Assertions.Expect(scroller.Locator(".record").First).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#record-count")).ToContainTextAsync($"{lines} lines");
            // the list renders what is on screen: scroll (the list or the page, whichever scrolls) until the last record shows
            bool reached = false;
            for (int step = 0; step < 200 && !reached; step++)
            {
                reached = (await scroller.InnerTextAsync()).Contains($"line {lines}\n");
                await page.EvaluateAsync("() => { const s = document.querySelector('#record-scroller'); if (s) s.scrollTop += 300; window.scrollBy(0, 300); }");
                await Check(file, $"step {step}");
            }
            Assert.True(reached, $"{file}: the last record never showed");
        }
        // the pretraining file's last line is not JSON: shown raw, as text
        await Assertions.Expect(page.Locator("#record-scroller")).ToContainTextAsync(HostileTextServer.HostileName + "{");

        // Chat: the payloads as the user's messages, one per turn (the tiny model's context is 128 tokens), each answered
        var groups = HostileTextServer.Payloads.ToList();
        await page.Open(server.BaseAddress, "/chat?checkpoint=hostile");
        await page.FillAsync("#max-new-tokens", "4");
        for (int turn = 0; turn < groups.Count; turn++)
        {
            await page.FillAsync("#chat-input", groups[turn]);
            await page.ClickAsync("#chat-send");
            await Assertions.Expect(page.Locator(".chat-bubble.assistant").Nth(turn)).ToHaveAttributeAsync("data-finish", Finished, new() { Timeout = 120_000 });
        }
        await Check("chat");

        // Compare: a short payload asked of two panes at once from the address (at the page's default answer length), the
        // rest typed turn by turn
        var asked = groups.OrderBy(g => g.Length).ToList();
        await page.Open(server.BaseAddress, $"/compare?left=hostile&right=hostile&ask={Uri.EscapeDataString(asked[0])}");
        for (int turn = 0; turn < asked.Count; turn++)
        {
            if (turn > 0)
            {
                await page.FillAsync("#max-new-tokens", "4");
                await page.FillAsync("#compare-input", asked[turn]);
                await page.ClickAsync("#compare-run");
            }
            foreach (var pane in new[] { "#compare-pane-0", "#compare-pane-1" })
                await Assertions.Expect(page.Locator($"{pane} .chat-bubble.assistant").Nth(turn)).ToHaveAttributeAsync("data-finish", Finished, new() { Timeout = 120_000 });
        }
        await Check("compare");

        // Tokenizer: the payloads' token pieces
        await page.Open(server.BaseAddress, "/tokenizer");
        await page.FillAsync("#tokenizer-text", string.Join("\n", HostileTextServer.Payloads));
        await Assertions.Expect(page.Locator("#tokenizer-tokens")).ToContainTextAsync(" tokens");
        await Check("tokenizer");

        // Evaluate and Checkpoints list the payload-named file and checkpoint
        await page.Open(server.BaseAddress, "/evaluate");
        await Check("evaluate");
        await page.Open(server.BaseAddress, "/checkpoints");
        await Assertions.Expect(page.Locator(".mud-main-content")).ToContainTextAsync(HostileTextServer.HostileName);
        await Check("checkpoints");
        await page.Shot("20-hostile-checkpoints");

        Assert.Equal(9, seen.Count);
        var failed = seen.Count(surface => failures.Any(f => f.StartsWith(surface)));
        Adversarial.AdversarialReport.WriteAndAssert(new("xss-in-browser", seen.Count, seen.Count - failed, 0, failures,
            new Dictionary<string, double> { ["payloads"] = HostileTextServer.Payloads.Count, ["pages"] = 6 }));
    }
}
