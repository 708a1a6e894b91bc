using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Training;
using MiniMind.Studio.Components.Pages.Train;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Services;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The live view's curves extend with each batch of steps the notification service delivers.</summary>
public sealed class LiveRunTests : StudioComponentTest
{
    [Fact]
    public void StepsOfARealRun_ExtendTheLossCurve_AndTheProgress()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var run = training.Start(TinyRun.Pretrain(steps: 5));
        var cut = Render<LiveRun>(p => p.Add(r => r.RunId, run.Id));

        cut.WaitForAssertion(() => Assert.Equal("completed", cut.Find("#live-run").GetAttribute("data-status")), TimeSpan.FromMinutes(2));

        cut.WaitForAssertion(() => Assert.Equal(5, cut.Instance.LastStep));
        Assert.Contains("step 5 / 5", cut.Find("#run-progress").TextContent);
        Assert.True(int.Parse(cut.Find("#loss-chart-wrapper").GetAttribute("data-points")!) >= 5);
        Assert.Contains("step 5/5 loss", cut.Find("#run-log").TextContent);
        var lines = cut.Find("#run-log").TextContent.Trim().Split('\n');
        Assert.Contains(" completed", lines[^1]); // in the order things happened: the steps, the save at the end, then the end
        Assert.Contains("checkpoint saved: ", lines[^2]);
        Assert.EndsWith("(step 5)", lines[^2]);
        Assert.Contains("step 5/5 loss", lines[^3]);
        var firstStep = Array.FindIndex(lines, l => l.StartsWith("step "));
        Assert.All(lines[firstStep..^2], l => Assert.StartsWith("step ", l)); // the lifecycle lines before them (those the service saw), none among them
    }

    /// <summary>A demo recipe stage cut to a few short steps on the CPU.</summary>
    static TrainingOptions Short(TrainingOptions recipe, int steps) => recipe with { MaxSteps = steps, MaxSeqLen = 48, BatchSize = 2, Device = "cpu" };

    [Fact]
    public void ADpoRun_DrawsItsRewardsOnAChartOfItsOwn_AndTheLossSmoothed()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var pretrain = training.Start(TinyRun.Pretrain(steps: 2, outputName: "base"));
        var cut = Render<LiveRun>(p => p.Add(r => r.RunId, pretrain.Id));
        cut.WaitForAssertion(() => Assert.Equal("completed", cut.Find("#live-run").GetAttribute("data-status")), TimeSpan.FromMinutes(2));
        var dpo = training.Start(Short(DemoRecipe.For(TrainingStage.Dpo, Folders.OutDir), steps: 3) with { InitFrom = Path.Combine(Folders.OutDir, "base.safetensors") });

        cut.Render(p => p.Add(r => r.RunId, dpo.Id));

        cut.WaitForAssertion(() => Assert.Equal("completed", cut.Find("#live-run").GetAttribute("data-status")), TimeSpan.FromMinutes(2));
        cut.WaitForAssertion(() => Assert.Equal(3, cut.Instance.LastStep));
        cut.WaitForAssertion(() => Assert.True(int.Parse(cut.Find("#stage-chart-wrapper").GetAttribute("data-points")!) >= 3 * 5)); // five metrics a step
        Assert.Contains("reward_margin", cut.Find("#run-log").TextContent);
        Assert.Contains("median of the last", cut.Find("#run-progress").TextContent);

        // the pipeline's next stage in the same view: its own chart, title and traces, nothing of the DPO run's
        var distill = training.Start(Short(DemoRecipe.For(TrainingStage.Distill, Folders.OutDir), steps: 2) with { Teacher = Path.Combine(Folders.OutDir, "base.safetensors") });
        cut.Render(p => p.Add(r => r.RunId, distill.Id));

        cut.WaitForAssertion(() => Assert.Equal("completed", cut.Find("#live-run").GetAttribute("data-status")), TimeSpan.FromMinutes(2));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.Instance.LastStep));
        var stage = cut.Find("#stage-chart-wrapper");
        Assert.Equal("distillation: KL and CE", stage.GetAttribute("data-title"));
        cut.WaitForAssertion(() => Assert.Contains("kl", cut.Find("#stage-chart-wrapper").GetAttribute("data-traces")!.Split(',')));
        Assert.DoesNotContain("reward", cut.Find("#stage-chart-wrapper").GetAttribute("data-traces"));
        Assert.Equal("loss", cut.Find("#loss-chart-wrapper").GetAttribute("data-title"));
    }

    [Fact]
    public void QueuedSteps_AreDeliveredInBatches_AndOnlyNewStepsAreDrawn()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var notifications = Services.GetRequiredService<TrainingNotifications>();
        var run = training.Start(TinyRun.Pretrain(steps: 2));
        var cut = Render<LiveRun>(p => p.Add(r => r.RunId, run.Id));
        cut.WaitForAssertion(() => Assert.Equal("completed", cut.Find("#live-run").GetAttribute("data-status")), TimeSpan.FromMinutes(2));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.Instance.LastStep));
        var before = int.Parse(cut.Find("#loss-chart-wrapper").GetAttribute("data-points")!);

        // a replayed step (already drawn) and two new ones, as the hub would deliver them
        foreach (var step in new long[] { 2, 3, 4 })
            notifications.QueueStep(new StepMetrics { RunId = run.Id, Step = step, TotalSteps = 4, Loss = 5.0 / step, LearningRate = 1e-3, GradNorm = 1 });

        cut.WaitForAssertion(() => Assert.Equal(4, cut.Instance.LastStep));
        // the loss and its EMA, each drawn after the other's interop call: wait for both
        cut.WaitForAssertion(() => Assert.Equal(before + 2 * 2, int.Parse(cut.Find("#loss-chart-wrapper").GetAttribute("data-points")!)));
        Assert.Contains(JSInterop.Invocations, i => i.Identifier.Contains("extend", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ARunStoppedWhileQueued_ShowsNeitherAnotherRunsProgress_NorAContinueItCannotDo()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var first = training.Start(TinyRun.Pretrain(steps: 400)); // holds the CPU: the next run queues behind it
        var cut = Render<LiveRun>(p => p.Add(r => r.RunId, first.Id));
        cut.WaitForAssertion(() => Assert.True(cut.Instance.LastStep >= 1), TimeSpan.FromMinutes(2));
        var queued = training.Start(TinyRun.Pretrain(steps: 5));
        training.Stop(queued.Id);

        cut.Render(p => p.Add(r => r.RunId, queued.Id));

        cut.WaitForAssertion(() => Assert.Equal("cancelled", cut.Find("#live-run").GetAttribute("data-status")), TimeSpan.FromMinutes(1));
        Assert.Equal("No steps recorded.", cut.Find("#run-progress").TextContent);
        Assert.Empty(cut.FindAll("#run-continue")); // it never recorded its options: nothing to continue
        // a batch of the other run's steps reaching this view late (queued on the circuit before the switch) is ignored
        await cut.InvokeAsync(() => cut.Instance.Append([new StepMetrics { RunId = first.Id, Step = 99, TotalSteps = 400, Loss = 1, LearningRate = 1e-3, GradNorm = 1 }]));
        Assert.Equal(-1, cut.Instance.LastStep);
        Assert.DoesNotContain("step 99", cut.Find("#run-log").TextContent);
        training.Stop(first.Id);
        cut.Render(p => p.Add(r => r.RunId, first.Id));
        cut.WaitForAssertion(() => Assert.Equal("cancelled", cut.Find("#live-run").GetAttribute("data-status")), TimeSpan.FromMinutes(1));
        Assert.Equal("Continue from last save", cut.Find("#run-continue").TextContent.Trim());
        cut.WaitForAssertion(() => Assert.Contains(" cancelled", cut.Find("#run-log").TextContent.Trim().Split('\n')[^1])); // read back: the end comes last
    }

    [Fact]
    public void AContinuedRun_KeepsItsFirstLog_AndWhatComesAfterFollowsIt()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var run = training.Start(TinyRun.Pretrain(steps: 160) with { SaveEvery = 20 }); // the whole log stays under the view's 200 lines
        var cut = Render<LiveRun>(p => p.Add(r => r.RunId, run.Id));
        cut.WaitForAssertion(() => Assert.True(cut.Instance.LastStep >= 25), TimeSpan.FromMinutes(2));
        training.Stop(run.Id);
        cut.WaitForAssertion(() => Assert.Equal("cancelled", cut.Find("#live-run").GetAttribute("data-status")), TimeSpan.FromMinutes(1));

        training.Resume(run.Id);

        cut.WaitForAssertion(() => Assert.Equal("completed", cut.Find("#live-run").GetAttribute("data-status")), TimeSpan.FromMinutes(3));
        cut.WaitForAssertion(() => Assert.Contains(" completed", cut.Find("#run-log").TextContent.Trim().Split('\n')[^1]));
        var lines = cut.Find("#run-log").TextContent.Trim().Split('\n');
        var cancelled = Array.FindIndex(lines, l => l.Contains(" cancelled"));
        Assert.True(cancelled >= 0, "the first attempt's end is kept");
        // the continuation's lines follow the first attempt's end: its steps, and its own end last (checked above);
        // which of its lifecycle lines appear depends on how fast it starts (the service logs the events it sees)
        Assert.Contains(lines[(cancelled + 1)..], l => l.StartsWith("step "));
        Assert.Contains("step 160/160", lines[^3]); // then its save, then the end
        Assert.EndsWith("(step 160)", lines[^2]);
    }

    [Fact]
    public async Task ARunStoppedBeforeItsFirstSave_StartsAgainAsANewRun_KeepingTheFirstAttempt()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var first = training.Start(TinyRun.Pretrain(steps: 2)); // saves only at its end, and SaveEvery is 1000
        await Finished(training, first.Id);
        var folder = new MiniMind.Engine.Training.RunDirectory(first.Directory);
        Directory.Delete(folder.ResumePath, recursive: true); // as if it had stopped before its first save
        var history = File.ReadAllText(folder.MetricsPath);
        Assert.Equal("Start again", training.Continuation(first.Id));

        var again = training.Resume(first.Id);
        await Finished(training, again.Id);

        Assert.NotEqual(first.Id, again.Id);
        Assert.Equal(RunStatus.Completed, training.Find(again.Id)!.Status);
        Assert.Equal(history, File.ReadAllText(folder.MetricsPath));
        Assert.Equal(RunStatus.Completed, training.Find(first.Id)!.Status);
    }

    /// <summary>Until the service's record of the run says it ended (the record follows the run's end on another thread).</summary>
    static async Task Finished(TrainingService training, string id)
    {
        await training.CompletionOf(id)!;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (training.Find(id) is { IsActive: true } && DateTime.UtcNow < deadline) await Task.Delay(20);
    }
}
