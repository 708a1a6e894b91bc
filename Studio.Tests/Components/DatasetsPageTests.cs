using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Studio.Components.Pages.Datasets;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The Datasets page over a dataset folder of its own (uploads land there, not in the repository).</summary>
public sealed class DatasetsPageTests : StudioComponentTest, IDisposable
{
    readonly string data = Directory.CreateTempSubdirectory("minimind-datasets-page-").FullName;

    public DatasetsPageTests()
    {
        var options = new StudioOptions { OutDir = Folders.OutDir, DatasetFolders = [data], MetricsIntervalMilliseconds = 50 };
        Services.AddSingleton(options);
        Services.AddSingleton(new StudioPaths(Repo.Root, options));
    }

    void IDisposable.Dispose()
    {
        try { Directory.Delete(data, recursive: true); }
        catch (IOException) { /* a file still open in a finishing render: the temp folder is cleaned later */ }
    }

    [Fact]
    public void AfterAnUpload_TheBrowserAndTheValidationShowTheNewFile_NotThePreviousOne()
    {
        File.WriteAllLines(Path.Combine(data, "alpha.jsonl"), ["{\"text\": \"alpha record one\"}", "{\"text\": \"alpha record two\"}"]);
        var cut = Render<DatasetsPage>();
        cut.InvokeAsync(() => cut.FindAll(".dataset-item").First(i => i.TextContent.Contains("alpha.jsonl")).Click());
        cut.WaitForAssertion(() => Assert.Contains("alpha record one", cut.Find("#record-scroller").TextContent));
        cut.InvokeAsync(() => cut.FindAll(".mud-tab").First(t => t.TextContent.Trim() == "Validation").Click());
        cut.WaitForElement("#validate-run");
        cut.InvokeAsync(() => cut.Find("#validate-run").Click());
        cut.WaitForAssertion(() => Assert.Contains("2 usable", cut.Find("#validation-summary").TextContent), TimeSpan.FromSeconds(30));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("{\"text\": \"bravo record\"}\n", "bravo.jsonl"));

        cut.WaitForAssertion(() => Assert.EndsWith("bravo.jsonl", cut.Find("#record-scroller").GetAttribute("data-file")));
        cut.WaitForAssertion(() => Assert.Contains("bravo record", cut.Find("#record-scroller").TextContent));
        Assert.DoesNotContain("alpha record", cut.Find("#record-scroller").TextContent);
        cut.InvokeAsync(() => cut.FindAll(".mud-tab").First(t => t.TextContent.Trim() == "Validation").Click());
        cut.WaitForElement("#validate-run");
        Assert.Empty(cut.FindAll("#validation-summary")); // not the previous file's result
        cut.InvokeAsync(() => cut.Find("#validate-run").Click());
        cut.WaitForAssertion(() => Assert.Contains("1 usable", cut.Find("#validation-summary").TextContent), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void ASearchHit_IsHighlighted_AndOpensItsRecordInTheRecordBrowser()
    {
        File.WriteAllLines(Path.Combine(data, "many.jsonl"), [.. Enumerable.Range(1, 40).Select(i => $"{{\"text\": \"record {i}{(i == 33 ? " about Juniper" : "")}\"}}")]);
        var cut = Render<DatasetsPage>();
        cut.InvokeAsync(() => cut.FindAll(".dataset-item").First(i => i.TextContent.Contains("many.jsonl")).Click());
        cut.WaitForAssertion(() => Assert.Contains("record 1", cut.Find("#record-scroller").TextContent));
        cut.InvokeAsync(() => cut.FindAll(".mud-tab").First(t => t.TextContent.Trim() == "Search").Click());
        cut.WaitForElement("#dataset-search").Input("juniper");
        cut.InvokeAsync(() => cut.FindAll("button").First(b => b.TextContent.Trim() == "Search").Click());

        var hit = cut.WaitForElement(".search-hit");
        Assert.Equal("Juniper", hit.QuerySelector("mark")!.TextContent);
        Assert.Contains("line 33", hit.TextContent);
        cut.InvokeAsync(() => cut.Find(".search-hit").Click());

        cut.WaitForAssertion(() => Assert.StartsWith("line 33", cut.Find("#record-scroller .record").TextContent.Trim()));
        Assert.Contains("about Juniper", cut.Find("#record-scroller .record").TextContent);
    }

    [Fact]
    public void AFileMixingFormats_IsReadAsItsMajority_SaysSo_AndCanBeReadAsAnother()
    {
        File.WriteAllLines(Path.Combine(data, "mixed.jsonl"), ["{\"text\": \"a stray line\"}",
            .. Enumerable.Range(0, 6).Select(i => $"{{\"conversations\": [{{\"role\": \"user\", \"content\": \"q{i}\"}}, {{\"role\": \"assistant\", \"content\": \"a{i}\"}}]}}")]);
        var cut = Render<DatasetsPage>();
        Assert.Contains("sft", cut.FindAll(".dataset-item").First(i => i.TextContent.Contains("mixed.jsonl")).TextContent);
        cut.InvokeAsync(() => cut.FindAll(".dataset-item").First(i => i.TextContent.Contains("mixed.jsonl")).Click());

        cut.WaitForAssertion(() => Assert.Contains("6 sft, 1 pretrain", cut.Find("#dataset-mixed").TextContent));
        cut.WaitForAssertion(() => Assert.Contains("q0", cut.Find("#record-scroller").TextContent)); // conversations read as such
        Assert.Contains("conversations", cut.Find("#record-scroller .record").TextContent); // the stray line: its problem

        cut.InvokeAsync(() => cut.FindComponent<MudBlazor.MudSelect<MiniMind.Engine.Data.DatasetKind>>().Instance.ValueChanged.InvokeAsync(MiniMind.Engine.Data.DatasetKind.Pretrain));

        cut.WaitForAssertion(() => Assert.Contains("a stray line", cut.Find("#record-scroller .record").TextContent)); // read as pretraining now
    }
}
