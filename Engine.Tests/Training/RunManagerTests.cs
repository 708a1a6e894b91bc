using System.Text.Json;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Training;

namespace MiniMind.Engine.Tests.Training;

/// <summary>Run control through the manager, on tiny jsonl data and the seed tokenizer.</summary>
public sealed class RunManagerTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-runs-").FullName;
    readonly RunManager manager = new(TorchRuntime.Initialize(new RuntimeOptions("cpu")));

    public void Dispose()
    {
        manager.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    TrainingOptions Pretrain(long steps, string? data = null) => TrainingOptions.ForStage(TrainingStage.Pretrain) with
    {
        Model = new MiniMindConfig { Dim = 32, NLayers = 1, NHeads = 2, NKvHeads = 1, VocabSize = 6400, MaxSeqLen = 64 },
        DataPath = data ?? WritePretrain("pretrain.jsonl", 64),
        TokenizerPath = Fixture.Path("seed-tokenizer"),
        OutDir = Path.Combine(dir, "out"),
        Epochs = 100,
        MaxSteps = steps,
        BatchSize = 2,
        AccumulationSteps = 1,
        MaxSeqLen = 32,
        Device = "cpu",
        SaveEvery = 2,
    };

    string WritePretrain(string name, int records)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllLines(path, Enumerable.Range(0, records).Select(i => JsonSerializer.Serialize(new { text = $"第{i}句话：小明有{i % 7}个苹果。Bob has {i} pears." })));
        return path;
    }

    [Fact]
    public async Task Run_Completes_StreamingItsLifecycleAndSteps()
    {
        var run = manager.Submit(Pretrain(4));
        var events = new List<RunEvent>();

        await foreach (var e in run.Subscribe()) events.Add(e);
        var result = await run.Completion;

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal([1L, 2, 3, 4], events.Where(e => e.Step is not null).Select(e => e.Step!.Step).Distinct());
        Assert.Equal(RunStatus.Completed, events[^1].Status);
        Assert.True(File.Exists(result.OutputPath));
        Assert.Equal(4, run.Directory.ReadMetrics().Count);
        Assert.Equal(TrainingStage.Pretrain, run.Directory.ReadOptions().Stage);
    }

    [Fact]
    public async Task BadData_FailsTheRun_NotTheProcess()
    {
        var run = manager.Submit(Pretrain(4, data: Path.Combine(dir, "missing.jsonl")));

        var result = await run.Completion;

        Assert.Equal(RunOutcome.Failed, result.Outcome);
        Assert.Contains("missing.jsonl", result.Message);
        Assert.Equal(RunStatus.Failed, run.Status);
    }

    [Fact]
    public async Task SecondRun_OnTheSameDevice_WaitsForTheFirst()
    {
        var first = manager.Submit(Pretrain(6));
        var second = manager.Submit(Pretrain(2) with { OutputName = "second" });

        var firstResult = await first.Completion;
        var secondResult = await second.Completion;

        // the runs' own times, not an observer's: a subscriber that starts late (a loaded machine) must not change the verdict
        Assert.True(firstResult.Outcome == RunOutcome.Completed, $"first: {firstResult.Outcome} {firstResult.Message}");
        Assert.Equal(RunOutcome.Completed, secondResult.Outcome);
        Assert.True(second.StartedUtc >= first.EndedUtc, $"second started {second.StartedUtc:O}, first ended {first.EndedUtc:O}");
    }

    [Fact]
    public async Task AResumeWithoutASavedState_FailsNamingTheFile_AndKeepsTheHistory()
    {
        var first = manager.Submit(Pretrain(2));
        await first.Completion;
        Directory.Delete(first.Directory.ResumePath, recursive: true);
        var history = File.ReadAllText(first.Directory.MetricsPath);

        var resumed = await manager.Submit(first.Options with { MaxSteps = 4 }, resumeRunId: first.Id).Completion;

        Assert.Equal(RunOutcome.Failed, resumed.Outcome);
        Assert.Contains(Path.Combine(first.Directory.ResumePath, "state.json") + " is missing", resumed.Message);
        Assert.Equal(history, File.ReadAllText(first.Directory.MetricsPath));
    }

    [Fact]
    public async Task ALateSubscriber_GetsTheEndAsItHappened_NotWhenItAsked()
    {
        var run = manager.Submit(Pretrain(2));
        await run.Completion;
        await Task.Delay(50); // subscribing clearly after the end

        var events = new List<RunEvent>();
        await foreach (var e in run.Subscribe()) events.Add(e);

        var only = Assert.Single(events);
        Assert.Equal(RunStatus.Completed, only.Status);
        Assert.Equal(run.EndedUtc, only.TimeUtc);
        Assert.Equal(2, only.Step?.Step);
    }

    [Fact]
    public async Task TimePaused_IsNeitherElapsedTrainingTimeNorPartOfTheNextStepsSpeed()
    {
        var run = manager.Submit(Pretrain(1000));
        bool paused = false, resumed = false;
        await foreach (var e in run.Subscribe())
        {
            if (e.Step is { Step: >= 3 } && !paused) { run.PauseRun(); paused = true; }
            else if (e.Status == RunStatus.Paused && e.Step is null && !resumed)
            {
                await Task.Delay(1500); // held: a step of this model takes milliseconds
                resumed = true;
                run.ResumeRun();
            }
            else if (resumed && e.Step is not null) run.Cancel();
        }
        await run.Completion;

        var steps = run.Directory.ReadMetrics();
        Assert.True(resumed);
        var gaps = steps.Zip(steps.Skip(1), (a, b) => (After: b, Seconds: b.ElapsedSeconds - a.ElapsedSeconds)).ToList();
        var longest = gaps.MaxBy(g => g.Seconds);
        Assert.True(longest.Seconds < 1.0, $"step {longest.After.Step} took {longest.Seconds:F2} s of elapsed time: the pause was counted");
        Assert.True(longest.After.TokensPerSecond > 64 / 1.0, $"step {longest.After.Step}: {longest.After.TokensPerSecond:F0} tokens/s");
    }

    [Fact]
    public async Task PauseHoldsTheRun_ResumeContinues_CancelWhilePausedStops_ThenTheRunResumes()
    {
        var run = manager.Submit(Pretrain(1000)); // far more steps than the test lets it take
        int pauses = 0;
        await foreach (var e in run.Subscribe())
        {
            if (e.Step is not null && e.Status == RunStatus.Running && pauses < 2) { run.PauseRun(); pauses++; }
            if (e.Status != RunStatus.Paused || e.Step is not null) continue;
            if (pauses == 1)
            {
                // paused: no step may be logged while it is held
                await Task.Delay(300);
                int held = run.Directory.ReadMetrics().Count;
                await Task.Delay(300);
                Assert.Equal(held, run.Directory.ReadMetrics().Count);
                run.ResumeRun();
            }
            else run.Cancel(); // cancelled while paused: it stops where it stands
        }
        var stopped = await run.Completion;
        Assert.Equal(RunOutcome.Cancelled, stopped.Outcome);
        Assert.InRange(stopped.Steps, 2, 999);

        var resumed = manager.Submit(run.Options with { MaxSteps = stopped.Steps + 3 }, resumeRunId: run.Id);
        var result = await resumed.Completion;

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(Enumerable.Range(1, (int)stopped.Steps + 3).Select(i => (long)i), resumed.Directory.ReadMetrics().Select(m => m.Step));
    }
}
