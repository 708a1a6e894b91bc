using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Training;
using MiniMind.Studio.Components.Pages.Train;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Services;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The Train page's form shows the settings of the run being viewed, and starts a new run from them.</summary>
public sealed class TrainPageTests : StudioComponentTest
{
    [Fact]
    public void TheFormShowsTheViewedRunsSettings_AndStartsANewRunFromThemAll()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var viewed = training.Start(TinyRun.Pretrain(2, "viewed") with { Epochs = 4, BatchSize = 3, LearningRate = 2e-3, Packed = true, AdamBeta1 = 0.8, WarmupSteps = 1 });
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (training.Find(viewed.Id) is { IsActive: true } && DateTime.UtcNow < deadline) Thread.Sleep(100);

        var cut = Render<TrainPage>(p => p.Add(t => t.RunId, viewed.Id));

        Assert.Contains(viewed.Id, cut.Find("#form-source").TextContent);
        Assert.Equal(("4", "3", "32"), (cut.Find("#f-epochs").GetAttribute("value"), cut.Find("#f-batch_size").GetAttribute("value"), cut.Find("#f-max_seq_len").GetAttribute("value")));
        Assert.Equal("0.002", cut.Find("#f-learning_rate").GetAttribute("value"));
        Assert.Equal("viewed", cut.Find("#f-output_name").GetAttribute("value"));
        Assert.Equal("Start a new run", cut.Find("#train-start").TextContent.Trim());

        cut.Find("#f-output_name").Input("from_viewed");
        cut.InvokeAsync(() => cut.Find("#train-start").Click());

        RunRecord? started = null;
        cut.WaitForAssertion(() => Assert.NotNull(started = training.Runs().FirstOrDefault(r => r.Id != viewed.Id)));
        var options = started!.Options;
        Assert.Equal((4, 3, 2e-3, true, 0.8, 1L), (options.Epochs, options.BatchSize, options.LearningRate, options.Packed, options.AdamBeta1, options.WarmupSteps));
        Assert.Equal("from_viewed", options.OutputName);
        Assert.Equal(viewed.Options.DataPath, options.DataPath); // the same file, resolved the same way
    }

    [Fact]
    public void Defaults_LeaveTheRunsSettings_ForTheStagesDefaults()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var viewed = training.Start(TinyRun.Pretrain(1, "viewed2") with { BatchSize = 3 });
        var cut = Render<TrainPage>(p => p.Add(t => t.RunId, viewed.Id));
        Assert.NotEmpty(cut.FindAll("#form-source"));

        cut.InvokeAsync(() => cut.FindAll("button").First(b => b.TextContent.Trim() == "Defaults").Click());

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#form-source"))); // the handler validates asynchronously, then renders
        Assert.Equal("16", cut.Find("#f-batch_size").GetAttribute("value")); // the demo recipe's pretraining batch
        Assert.Equal("Start", cut.Find("#train-start").TextContent.Trim());
    }
}
