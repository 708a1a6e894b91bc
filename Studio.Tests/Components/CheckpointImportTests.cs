using Bunit;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Interop;
using MiniMind.Engine.Model;
using MiniMind.Studio.Components.Pages.Checkpoints;
using MudBlazor;

namespace MiniMind.Studio.Tests.Components;

/// <summary>
/// The Checkpoints page's Import action: the current original's .pth (here a minimind-3 model the studio exported in its
/// names) becomes a checkpoint of the list, with the config read off the files; an existing name and a missing source are
/// refused in the dialog.
/// </summary>
public sealed class CheckpointImportTests : StudioComponentTest
{
    IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> RenderPage() => Render(b =>
    {
        b.OpenComponent<MudDialogProvider>(0);
        b.CloseComponent();
        b.OpenComponent<CheckpointsPage>(1);
        b.CloseComponent();
    });

    /// <summary>A minimind-3 model in the current original's .pth names (exported from a studio checkpoint outside out/).</summary>
    string OriginalPth()
    {
        var elsewhere = Path.Combine(Folders.OutDir, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        var config = MiniMindConfig.Preset("minimind3-tiny") with { Dim = 64, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 256 };
        var studio = Path.Combine(elsewhere, "made.safetensors");
        using (var model = new MiniMindModel(config))
            ModelCheckpoint.Save(model, studio, new CheckpointInfo { Config = config, Stage = "sft", Step = 1, Tokenizer = Repo.Fixture("minimind3", "tokenizer") });
        var export = CheckpointExporter.Export(studio, ExportFormat.MiniMindPth, Path.Combine(elsewhere, "original"));
        File.Delete(studio); // only the original's files stay: the list shows no studio checkpoint before the import
        File.Delete(Path.ChangeExtension(studio, ".json"));
        return Path.Combine(export.OutputDirectory, export.Files.Single(f => f.EndsWith(".pth", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheOriginalsPth_IsImportedAsACheckpoint_AndListed()
    {
        var pth = OriginalPth();
        var cut = RenderPage();

        cut.Find("#checkpoints-import").Click();
        cut.Find("#import-source").Input(pth);
        cut.Find("#import-name").Input("from_original");
        cut.Find("#import-run").Click();

        cut.WaitForAssertion(() => Assert.Contains("minimind-3, hidden 64, 2 layers, 4 heads over 2 kv heads", cut.Find("#import-result").TextContent), TimeSpan.FromSeconds(30));
        var written = Path.Combine(Folders.OutDir, "from_original.safetensors");
        Assert.Equal(MiniMindConfig.MiniMind3, ModelCheckpoint.ReadInfo(written)!.Config.Family);
        cut.Find("#import-close").Click();
        cut.WaitForAssertion(() => Assert.Contains("from_original", cut.Find("#checkpoint-table").TextContent));
    }

    [Fact]
    public void AnExistingName_OrAMissingSource_IsRefusedInTheDialog()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "taken");
        var before = File.GetLastWriteTimeUtc(Path.Combine(Folders.OutDir, "taken.safetensors"));
        var pth = OriginalPth();
        var cut = RenderPage();
        cut.Find("#checkpoints-import").Click();

        cut.Find("#import-source").Input(pth);
        cut.Find("#import-name").Input("taken");
        cut.Find("#import-run").Click();
        cut.WaitForAssertion(() => Assert.Contains("exists: choose another name", cut.Find("#import-error").TextContent));

        cut.Find("#import-source").Input(Path.Combine(Folders.OutDir, "nope.pth"));
        cut.Find("#import-name").Input("fresh");
        cut.Find("#import-run").Click();
        cut.WaitForAssertion(() => Assert.Contains("no such file or folder", cut.Find("#import-error").TextContent));

        cut.Find("#import-source").Input(pth);
        cut.Find("#import-name").Input("../escape");
        cut.Find("#import-run").Click();
        cut.WaitForAssertion(() => Assert.Contains("plain file name", cut.Find("#import-error").TextContent));

        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(Folders.OutDir, "taken.safetensors")));
        Assert.False(File.Exists(Path.Combine(Folders.OutDir, "fresh.safetensors")));
    }
}
