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
