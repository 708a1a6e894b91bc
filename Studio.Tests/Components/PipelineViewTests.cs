using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Training;
using MiniMind.Studio.Components.Shared;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The demo pipeline's chips, and what a person reads when a step could not run.</summary>
public sealed class PipelineViewTests : StudioComponentTest
{
    [Fact]
    public void AFailedStep_IsShownWithItsReason_AndTheStepsAfterItAsSkipped()
    {
        var pipeline = Services.GetRequiredService<DemoPipeline>();
        var cut = Render<PipelineView>();

        pipeline.Start(new DemoPipelineChoice(), o => (o with { MaxSteps = 2, MaxSeqLen = 32, BatchSize = 2, Device = "cpu" }) is var s && s.Stage == TrainingStage.Sft
            ? s with { DataPath = "dataset/no_such_file.jsonl" } : s);

        cut.WaitForAssertion(() => Assert.Equal("ended", cut.Find("#demo-pipeline").GetAttribute("data-state")), TimeSpan.FromMinutes(2));
        Assert.Equal(["completed", "failed", "skipped"], cut.FindAll(".pipeline-step").Select(c => c.GetAttribute("data-state")));
        Assert.Contains("The sft step failed", cut.Find("#pipeline-ended").TextContent);
        Assert.Contains("no_such_file.jsonl", cut.Find("#pipeline-ended").TextContent);
        Assert.Empty(cut.FindAll("#pipeline-compare"));
    }
}
