using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Training;
using MiniMind.Studio.Components.Pages.Home;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Components;

/// <summary>Home's demo box: its time estimate follows the ticked stages, and a running pipeline's choice stays shown.</summary>
public sealed class HomePageTests : StudioComponentTest
{
    [Fact]
    public void TheEstimate_FollowsTheTickedStages()
    {
        var cut = Render<Home>();
        var reference = DemoPipeline.ReferenceSeconds;
        string Minutes(params TrainingStage[] stages) => $"about {Math.Round(stages.Sum(s => reference[s]) / 60)} minutes";

        Assert.Contains($"4 stages, {Minutes(TrainingStage.Pretrain, TrainingStage.Sft, TrainingStage.Dpo, TrainingStage.Lora)}", cut.Find("#demo-estimate").TextContent);
        Assert.Contains("this one has not run the demo yet", cut.Find("#demo-estimate").TextContent);

        cut.Find("#demo-distill input").Change(true);
        cut.Find("#demo-grpo input").Change(true);

        cut.WaitForAssertion(() => Assert.Contains($"6 stages, {Minutes(TrainingStage.Pretrain, TrainingStage.Sft, TrainingStage.Dpo, TrainingStage.Lora, TrainingStage.Distill, TrainingStage.Grpo)}",
            cut.Find("#demo-estimate").TextContent)); // each box's change is handled asynchronously
    }

    [Fact]
    public void TheMinimind3Shape_IsOfferedBesideMiniMind2s_AndStartsItsPipeline()
    {
        var pipeline = Services.GetRequiredService<DemoPipeline>();
        var cut = Render<Home>();
        // the page renders again once it has measured the CPU threads: click only after, on elements found then
        cut.WaitForAssertion(() => Assert.DoesNotContain("measuring", cut.Find("#thread-choice").TextContent));
        Assert.Equal(2, cut.FindAll("#demo-shape input").Count);
        Assert.Contains("minimind-3", cut.Find("#demo-shape").TextContent);

        cut.FindAll("#demo-shape input")[1].Click(); // MudRadio answers clicks
        cut.Find("#train-demo").Click();
        try
        {
            Assert.Equal("minimind3-tiny", pipeline.Choice!.Preset);
            Assert.Equal("minimind3-tiny", pipeline.OptionsFor(TrainingStage.Pretrain).Preset);
        }
        finally
        {
            foreach (var step in pipeline.Steps.Where(s => s.RunId is not null)) Services.GetRequiredService<TrainingService>().Stop(step.RunId!);
        }
    }

    [Fact]
    public void WhileThePipelineRuns_TheBoxesShowWhatItRuns()
    {
        var pipeline = Services.GetRequiredService<DemoPipeline>();
        pipeline.Start(new DemoPipelineChoice(Lora: true, Reason: true, Distill: true, Grpo: true),
            o => o with { MaxSteps = 2, MaxSeqLen = 48, BatchSize = 2, Device = "cpu" });
        try
        {
            var cut = Render<Home>(); // a page opened (or reloaded) while it runs

            foreach (var box in new[] { "#demo-lora", "#demo-reason", "#demo-distill", "#demo-grpo" })
            {
                var input = cut.Find($"{box} input");
                Assert.True(input.HasAttribute("checked"), box);
                Assert.True(input.HasAttribute("disabled"), box);
            }
        }
        finally
        {
            foreach (var step in pipeline.Steps.Where(s => s.RunId is not null)) Services.GetRequiredService<TrainingService>().Stop(step.RunId!);
        }
    }

    [Fact]
    public async Task TheRunsTable_HasHeaders_AndDatesReadTheSameInEveryLocale()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var run = training.Start(MiniMind.Studio.Tests.Services.TinyRun.Pretrain(1, "dated"));
        await Services.GetRequiredService<RunManager>().Find(run.Id)!.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        var cut = Render<Home>();

        Assert.Equal(["run", "status", "step", "loss"], cut.FindAll("#home-runs-table thead th").Select(th => th.TextContent));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$", cut.FindAll("#home-checkpoints tbody td")[3].TextContent.Trim());
        Assert.Equal("2026-12-07 20:08", MiniMind.Studio.Components.Shared.Dates.Short(new DateTimeOffset(2026, 12, 7, 20, 8, 0, TimeZoneInfo.Local.GetUtcOffset(new DateTime(2026, 12, 7, 20, 8, 0)))));
    }
}
