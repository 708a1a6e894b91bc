using MiniMind.Engine.Training;
using MiniMind.Studio.Services;
using CommandLine = MiniMind.Studio.Tests.Cli.Cli;

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

    [Theory]
    [InlineData("noise")]
    [InlineData("half")]
    public async Task ADamagedRegistry_IsMovedAsideNotDeleted_AndItsRunsRecoveredFromTheirFolders(string damage)
    {
        using var folders = new StudioFolders();
        var registry = new RunRegistry(folders.Paths);
        for (int i = 0; i < 40; i++) // enough rows that half the file cuts into them
            registry.Save(new RunRecord { Id = $"r{i}", Stage = TrainingStage.Pretrain, Status = RunStatus.Completed, OptionsJson = TinyRun.Pretrain(3).ToJson(), Directory = "/tmp/r", Message = new string('x', 400) });
        var (code, _, err) = await CommandLine.Run("train", "pretrain", "--device", "cpu", "--set", $"out_dir={folders.OutDir}", "max_steps=2", "batch_size=2", "max_seq_len=32", "accumulation_steps=1");
        Assert.True(code == 0, err);
        var bytes = File.ReadAllBytes(folders.Paths.RegistryPath);
        var damaged = damage == "noise" ? [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31 % 256))] : bytes[..(bytes.Length / 2)];
        File.WriteAllBytes(folders.Paths.RegistryPath, damaged);

        var reopened = new RunRegistry(folders.Paths);

        Assert.NotNull(reopened.Recovery);
        var aside = Directory.GetFiles(folders.OutDir, "studio.db.damaged-*").Single();
        Assert.Equal(damaged, File.ReadAllBytes(aside));
        Assert.Contains(aside, reopened.Recovery);
        var run = Assert.Single(reopened.List());
        Assert.Equal((RunStatus.Completed, 2L, TrainingStage.Pretrain), (run.Status, run.Step, run.Stage));
        Assert.Equal(Path.Combine(folders.OutDir, "pretrain_128.safetensors"), run.Output);
        Assert.Null(new RunRegistry(folders.Paths).Recovery); // the new registry is whole
    }
}
