using Bunit;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using MiniMind.Studio.Components.Pages.Chat;

namespace MiniMind.Studio.Tests.Components;

/// <summary>Compare puts two checkpoints side by side, or says what to do when there are none.</summary>
public sealed class ComparePageTests : StudioComponentTest
{
    [Fact]
    public void WithoutCheckpoints_ThePageSaysHowToGetThem()
    {
        var cut = Render<ComparePage>();

        Assert.Contains("Comparing needs checkpoints", cut.Find("#compare-empty").TextContent);
        Assert.Empty(cut.FindAll(".compare-pane"));
    }

    [Fact]
    public void TwoCheckpoints_AreShownInTwoHalfWidthPanes_OneEach()
    {
        var config = MiniMindConfig.Preset("tiny") with { VocabSize = 1793 };
        foreach (var (name, stage) in new[] { ("full_sft_128", "sft"), ("rlhf_128", "dpo") })
        {
            using var model = new MiniMindModel(config);
            ModelCheckpoint.Save(model, Path.Combine(Folders.OutDir, name + ".safetensors"), new CheckpointInfo { Config = config, Stage = stage, Step = 1 });
            Thread.Sleep(20); // distinct creation times
        }

        var cut = Render<ComparePage>();

        var panes = cut.FindAll(".compare-pane");
        Assert.Equal(2, panes.Count);
        Assert.All(panes, p => Assert.Contains("mud-grid-item-sm-6", p.ClassName));
        Assert.Contains("left checkpoint", panes[0].TextContent);
        Assert.Contains("right checkpoint", panes[1].TextContent);
        Assert.Contains("full_sft_128", panes[0].TextContent);
        Assert.Contains("rlhf_128", panes[1].TextContent);
        Assert.True(cut.Find("#compare-run").HasAttribute("disabled"), "nothing to ask yet");
    }
}
