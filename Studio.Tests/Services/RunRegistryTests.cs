using MiniMind.Engine.Training;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Services;

/// <summary>The SQLite run registry keeps runs across restarts.</summary>
public sealed class RunRegistryTests
{
    [Fact]
    public void TheRunRegistrySurvivesARestart_AndMarksRunsLeftActiveAsInterrupted()
    {
        using var folders = new StudioFolders();
        var registry = new RunRegistry(folders.Paths);
        var options = TinyRun.Pretrain(3);
        registry.Save(new RunRecord { Id = "a", Stage = TrainingStage.Pretrain, Status = RunStatus.Completed, OptionsJson = options.ToJson(), Directory = "/tmp/a", Step = 3, TotalSteps = 3, Loss = 2.5 });
        registry.Save(new RunRecord { Id = "b", Stage = TrainingStage.Sft, Status = RunStatus.Running, OptionsJson = options.ToJson(), Directory = "/tmp/b", Step = 1, TotalSteps = 9 });

        var reopened = new RunRegistry(folders.Paths);
        var interrupted = reopened.MarkInterrupted();

        Assert.Equal(1, interrupted);
        var runs = reopened.List().ToDictionary(r => r.Id);
        Assert.Equal(RunStatus.Completed, runs["a"].Status);
        Assert.Equal(2.5, runs["a"].Loss);
        Assert.Equal(RunStatus.Failed, runs["b"].Status);
        Assert.StartsWith("Interrupted", runs["b"].Message);
        Assert.Equal(TrainingStage.Sft, runs["b"].Stage);
    }
}
