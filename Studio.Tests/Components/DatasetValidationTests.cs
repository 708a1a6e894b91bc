using Bunit;
using MiniMind.Engine.Data;
using MiniMind.Studio.Components.Pages.Datasets;

namespace MiniMind.Studio.Tests.Components;

public sealed class DatasetValidationTests : StudioComponentTest
{
    [Fact]
    public void ACleanFile_GetsItsSummaryAndNoEmptyTable_ABadOneNamesItsLines()
    {
        var clean = Path.Combine(Folders.OutDir, "clean.jsonl");
        File.WriteAllLines(clean, ["{\"text\": \"one\"}", "{\"text\": \"two\"}"]);
        var bad = Path.Combine(Folders.OutDir, "bad.jsonl");
        File.WriteAllLines(bad, ["{\"text\": \"one\"}", "{\"txet\": \"two\"}"]);

        var ok = Render<DatasetValidation>(p => p.Add(v => v.Path, clean).Add(v => v.Kind, DatasetKind.Pretrain));
        ok.Find("#validate-run").Click();
        ok.WaitForAssertion(() => Assert.Contains("2 usable, 0 bad", ok.Find("#validation-summary").TextContent), TimeSpan.FromSeconds(30));
        Assert.Empty(ok.FindAll("#validation-problems"));

        var broken = Render<DatasetValidation>(p => p.Add(v => v.Path, bad).Add(v => v.Kind, DatasetKind.Pretrain));
        broken.Find("#validate-run").Click();
        broken.WaitForAssertion(() => Assert.Contains("1 bad", broken.Find("#validation-summary").TextContent), TimeSpan.FromSeconds(30));
        Assert.Contains("text", broken.Find("#validation-problems tbody tr").TextContent);
    }
}

public sealed class PromptRecordViewTests : StudioComponentTest
{
    [Fact]
    public void APromptFile_IsValidatedAsPrompts_AndARecordShowsItsQuestionAndReferenceAnswer_AsText()
    {
        var path = Path.Combine(Folders.OutDir, "prompts.jsonl");
        File.WriteAllLines(path, ["{\"prompt\": \"<script>alert(1)</script> 3 plus 4?\", \"answer\": \"7\"}", "{\"prompt\": \"Where?\"}"]);
        Assert.Equal(DatasetKind.Prompts, DatasetFormat.Detect(path));

        var validation = Render<DatasetValidation>(p => p.Add(v => v.Path, path).Add(v => v.Kind, DatasetKind.Prompts));
        validation.Find("#validate-run").Click();
        validation.WaitForAssertion(() => Assert.Contains("1 usable, 1 bad", validation.Find("#validation-summary").TextContent), TimeSpan.FromSeconds(30));
        Assert.Contains("answer", validation.Find("#validation-problems tbody tr").TextContent);

        var record = RecordParser.Parse(System.Text.Encoding.UTF8.GetBytes(File.ReadLines(path).First()), DatasetKind.Prompts, path, 1, out _);
        var view = Render<RecordView>(p => p.Add(v => v.Record, record).Add(v => v.Line, 1));

        Assert.Contains("reference answer", view.Find(".record-answer").TextContent);
        Assert.Equal("7", view.Find(".record-answer .record-text").TextContent);
        Assert.Empty(view.FindAll("script"));
        Assert.Contains("&lt;script&gt;", view.Markup);
    }
}

public sealed class LongRecordViewTests : StudioComponentTest
{
    [Fact]
    public void AThreeMegabyteRecord_IsShownClipped_UntilShowAll()
    {
        var text = string.Concat(Enumerable.Repeat("Alice lives in Mossford. ", 120_000)); // 3 MB
        var raw = System.Text.Json.JsonSerializer.Serialize(new { text });
        var view = Render<RecordView>(p => p.Add(v => v.Record, new PretrainRecord(text)).Add(v => v.Raw, raw).Add(v => v.Line, 7));

        Assert.True(view.Markup.Length < 20_000, $"the page got {view.Markup.Length:N0} characters");
        Assert.Contains($"A long record ({raw.Length:N0} characters)", view.Find(".record-clipped").TextContent);

        view.Find(".record-show-all").Click();

        Assert.Equal(text, view.Find(".record-text").TextContent);
        Assert.Empty(view.FindAll(".record-clipped"));
    }
}
