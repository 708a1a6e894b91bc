using MiniMind.Engine.Training;
using MiniMind.Studio.Components.Pages.Train;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The live view's log: steps and lifecycle lines in the order they happened, whatever order they arrive in.</summary>
public sealed class RunLogTests
{
    static StepMetrics Step(long n) => new() { RunId = "r", Step = n, TotalSteps = 300, Loss = 1.0 / n, LearningRate = 1e-3, GradNorm = 0.5 };

    static IEnumerable<StepMetrics> Steps(long from, long to) => Enumerable.Range((int)from, (int)(to - from + 1)).Select(n => Step(n));

    [Fact]
    public void OpeningAFinishedRun_ShowsItsStart_ItsLastSteps_ThenItsEnd()
    {
        var log = new RunLog();

        log.Open(["10:00:00 queued", "10:00:01 running", "10:00:09 completed"], [.. Steps(1, 30)], finished: true);

        Assert.Equal(2 + RunLog.HistoryShown + 1, log.Lines.Count);
        Assert.Equal("10:00:01 running", log.Lines[1]);
        Assert.StartsWith("step 11/300 ", log.Lines[2]);
        Assert.StartsWith("step 30/300 ", log.Lines[^2]);
        Assert.Equal("10:00:09 completed", log.Lines[^1]);
    }

    [Fact]
    public void OpeningARunLater_PutsItsSavesAndPausesAmongTheSteps_WhereTheyHappened()
    {
        var log = new RunLog();
        string[] lifecycle =
        [
            "10:00:00 queued", "10:00:01 running", "10:00:03 running: checkpoint saved: out/x.safetensors (step 10)",
            "10:00:04 paused", "10:00:09 running", "10:00:11 running: checkpoint saved: out/x.safetensors (step 20)", "10:00:11 completed",
        ];

        // the step each line was written at: a save is reported before its step's line arrives (9 then 10)
        log.Open(lifecycle, [.. Steps(1, 20)], finished: true, [0, 0, 9, 13, 13, 19, 20]);

        var order = log.Lines.Select(l => l.StartsWith("step ", StringComparison.Ordinal) ? l.Split(' ')[1].Split('/')[0] : l.Split(' ', 2)[1]).ToList();
        Assert.Equal(["queued", "running", .. Enumerable.Range(1, 10).Select(n => $"{n}"), "running: checkpoint saved: out/x.safetensors (step 10)",
            "11", "12", "13", "paused", "running", .. Enumerable.Range(14, 7).Select(n => $"{n}"),
            "running: checkpoint saved: out/x.safetensors (step 20)", "completed"], order);
    }

    [Fact]
    public void StepsDeliveredAfterTheEnd_GoBeforeIt()
    {
        var log = new RunLog();
        log.Open(["10:00:00 queued", "10:00:01 running"], [.. Steps(1, 3)], finished: false);

        log.Lifecycle(["10:00:00 queued", "10:00:01 running", "10:00:05 cancelled"]);
        log.Steps(Steps(4, 5));

        Assert.Equal(["step 4/300", "step 5/300", "10:00:05 cancelled"], log.Lines.TakeLast(3).Select(l => l.StartsWith("step") ? string.Join(' ', l.Split(' ').Take(2)) : l));
    }

    [Fact]
    public void AContinuedRun_AddsAfterEverythingShown()
    {
        var log = new RunLog();
        log.Open(["10:00:00 queued", "10:00:05 cancelled"], [.. Steps(1, 4)], finished: true);

        log.Lifecycle(["10:00:00 queued", "10:00:05 cancelled", "10:01:00 running"]);
        log.Steps(Steps(5, 6));

        Assert.Equal("10:00:05 cancelled", log.Lines[^4]);
        Assert.Equal("10:01:00 running", log.Lines[^3]);
        Assert.StartsWith("step 6/300 ", log.Lines[^1]);
    }

    [Fact]
    public void ARunOfAnEarlierProcess_EndsInItsStoredMessage_AndLateStepsGoBeforeIt()
    {
        var log = new RunLog();

        log.Open(["Interrupted: the studio stopped while this run was active."], [.. Steps(1, 2)], finished: true);
        log.Steps(Steps(3, 3));

        Assert.StartsWith("Interrupted", log.Lines[^1]);
        Assert.StartsWith("step 3/300 ", log.Lines[^2]);
    }

    [Fact]
    public void TheLog_KeepsItsLastLines_AndTheEndStaysLast()
    {
        var log = new RunLog();
        log.Open(["10:00:00 queued", "10:00:01 running"], [], finished: false);
        log.Lifecycle(["10:00:00 queued", "10:00:01 running", "10:09:00 completed"]);

        log.Steps(Steps(1, 300));

        Assert.Equal(RunLog.Capacity, log.Lines.Count);
        Assert.Equal("10:09:00 completed", log.Lines[^1]);
        Assert.StartsWith("step 300/300 ", log.Lines[^2]);
        Assert.StartsWith("step 102/300 ", log.Lines[0]);
    }

    [Theory]
    [InlineData("10:00:09 completed", true)]
    [InlineData("10:00:09 failed: out of memory", true)]
    [InlineData("10:00:09 cancelled", true)]
    [InlineData("10:00:09 running", false)]
    [InlineData("10:00:09 preparing: loading tokenizer", false)]
    [InlineData("step 3/10 loss 1.0", false)]
    public void AnEndLine_IsOneThatNamesAFinishedStatus(string line, bool end) => Assert.Equal(end, RunLog.IsEndLine(line));

    [Fact]
    public void ASaveReportedBeforeItsStepsLine_ComesAfterIt()
    {
        var log = new RunLog();
        log.Open(["10:00:00 running"], [Step(1), Step(2)], finished: false);

        log.Lifecycle(["10:00:00 running", "10:00:01 running: checkpoint saved: /out/x.safetensors (step 4)"]);
        log.Steps([Step(3), Step(4), Step(5)]);

        Assert.Equal(["step 1/300", "step 2/300", "step 3/300", "step 4/300", "10:00:01 running: checkpoint saved:", "step 5/300"],
            log.Lines.Skip(1).Select(l => string.Join(' ', l.Split(' ').Take(l.StartsWith("step ", StringComparison.Ordinal) ? 2 : 4))));
        Assert.Equal(4, RunLog.SavedStep(log.Lines[5]));
        Assert.Equal(-1, RunLog.SavedStep("step 4/300 loss 0.25"));
    }
}
