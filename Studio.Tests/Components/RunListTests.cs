using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Studio.Components.Pages.Train;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Services;

namespace MiniMind.Studio.Tests.Components;

public sealed class RunListTests : StudioComponentTest
{
    [Fact]
    public void ARun_IsListedWithTheCheckpointItWrites()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var run = training.Start(TinyRun.Pretrain(steps: 2, outputName: "listed_run"));

        var cut = Render<RunList>();

        cut.WaitForAssertion(() => Assert.Equal("listed_run", cut.Find($".run-row[data-run='{run.Id}'] .run-output").TextContent.Trim()), TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void ACheckpointIsNamedOnceSaved_BeforeTheRunEnds_AndTheLogSaysSo()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var run = training.Start(TinyRun.Pretrain(steps: 400, outputName: "early_output") with { SaveEvery = 2 });
        var cut = Render<RunList>();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (training.Find(run.Id) is { Step: < 3 } && DateTime.UtcNow < deadline) Thread.Sleep(20);
        training.Pause(run.Id);

        try
        {
            cut.WaitForAssertion(() => Assert.Equal("early_output", cut.Find($".run-row[data-run='{run.Id}'] .run-output").TextContent.Trim()), TimeSpan.FromMinutes(1));
            Assert.True(training.Find(run.Id)!.IsActive);
            Assert.Contains(training.Log(run.Id), l => l.Contains("checkpoint saved: ", StringComparison.Ordinal) && l.Contains("early_output.safetensors (step 2)", StringComparison.Ordinal));
        }
        finally
        {
            training.Stop(run.Id);
            training.Continue(run.Id);
        }
    }

    [Fact]
    public void ADeletedCheckpoint_IsShownAsDeleted_AndOnlyFailedOrCancelledRunsOfferRemove()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var done = training.Start(TinyRun.Pretrain(steps: 1, outputName: "soon_gone"));
        var failed = training.Start(TinyRun.Pretrain(steps: 400));
        training.Stop(failed.Id); // cancelled
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((training.Find(done.Id)!.IsActive || training.Find(failed.Id)!.IsActive) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        File.Delete(training.Find(done.Id)!.Output!);

        var cut = Render<RunList>();

        Assert.Contains("(deleted)", cut.Find($".run-row[data-run='{done.Id}'] .run-output").TextContent);
        Assert.Empty(cut.FindAll($".run-row[data-run='{done.Id}'] .run-remove"));
        Assert.Single(cut.FindAll($".run-row[data-run='{failed.Id}'] .run-remove"));
    }
}
