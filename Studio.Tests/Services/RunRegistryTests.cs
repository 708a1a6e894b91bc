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

    [Fact]
    public void WhenOnlyTheRunsAreDamaged_TheConversationsInTheSameFile_AreCopiedBack()
    {
        using var folders = new StudioFolders();
        var registry = new RunRegistry(folders.Paths);
        for (int i = 0; i < 40; i++) // enough rows that the runs table has a root page of its own above its leaves
            registry.Save(new RunRecord { Id = $"r{i}", Stage = TrainingStage.Pretrain, Status = RunStatus.Completed, OptionsJson = TinyRun.Pretrain(3).ToJson(), Directory = "/tmp/r", Message = new string('x', 400) });
        var store = new ConversationStore(folders.Paths);
        store.Save("20260101-000000-aaaaaa", new SavedChat { Turns = [new SavedTurn("first question", new SavedAnswer("first answer", "", "stop", null, 2, 0.1))] });
        store.Save("20260101-000001-bbbbbb", new SavedChat { Turns = [new SavedTurn("second question", new SavedAnswer("second answer", "", "stop", null, 2, 0.1))] });
        store.SaveComparison("20260101-000002-cccccc", new SavedComparison { Panes = ["a", "b"], Turns = [new SavedCompareTurn("compared", [null, null])] });
        // noise over the runs table's root page: the runs cannot be read, the conversations' pages are untouched
        long root, pageSize;
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={folders.Paths.RegistryPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT rootpage FROM sqlite_master WHERE name = 'runs'";
            root = (long)command.ExecuteScalar()!;
            command.CommandText = "PRAGMA page_size";
            pageSize = (long)command.ExecuteScalar()!;
        }
        var bytes = File.ReadAllBytes(folders.Paths.RegistryPath);
        for (long i = 0; i < pageSize; i++) bytes[(root - 1) * pageSize + i] = (byte)(i * 31 % 256);
        File.WriteAllBytes(folders.Paths.RegistryPath, bytes);

        var reopened = new RunRegistry(folders.Paths);

        Assert.Contains("chats: 2, comparisons: 1", reopened.Recovery);
        var aside = Directory.GetFiles(folders.OutDir, "studio.db.damaged-*").Single();
        Assert.Equal(bytes, File.ReadAllBytes(aside)); // read, not changed
        var recovered = new ConversationStore(folders.Paths);
        Assert.Equal(["second question", "first question"], recovered.List().Select(c => c.Title));
        Assert.Equal("first answer", recovered.Load("20260101-000000-aaaaaa")!.Turns.Single().Answer.Text);
        Assert.Equal("compared", Assert.Single(recovered.ListComparisons()).Title);
    }
}
