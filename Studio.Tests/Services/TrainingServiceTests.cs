using Microsoft.Extensions.Logging.Abstractions;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Training;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Services;

/// <summary>Removing a run: only a failed or cancelled one, with the folder the studio made for it, never its checkpoint.</summary>
public sealed class TrainingServiceTests : IDisposable
{
    readonly StudioFolders folders = new();
    readonly RunManager manager = new(TorchRuntime.Initialize(new RuntimeOptions("cpu")));
    readonly RunRegistry registry;
    readonly TrainingService training;

    public TrainingServiceTests()
    {
        registry = new RunRegistry(folders.Paths);
        training = new TrainingService(manager, registry, new TrainingNotifications(folders.Options), folders.Paths, NullLogger<TrainingService>.Instance);
    }

    public void Dispose()
    {
        manager.Dispose();
        folders.Dispose();
    }

    async Task<RunRecord> Finished(TrainingOptions options)
    {
        var run = training.Start(options);
        await manager.Find(run.Id)!.Completion.WaitAsync(TimeSpan.FromMinutes(2));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (training.Find(run.Id)!.IsActive && DateTime.UtcNow < deadline) await Task.Delay(20); // the registry follows the run's end
        return training.Find(run.Id)!;
    }

    [Fact]
    public async Task ACancelledRun_IsRemovedWithItsFolder_ButItsCheckpointStays()
    {
        var run = training.Start(TinyRun.Pretrain(400, "kept_output") with { SaveEvery = 2 });
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (training.Find(run.Id) is { Step: < 3 } && DateTime.UtcNow < deadline) await Task.Delay(20);
        training.Stop(run.Id);
        await manager.Find(run.Id)!.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        while (training.Find(run.Id)!.IsActive && DateTime.UtcNow < deadline) await Task.Delay(20);
        var cancelled = training.Find(run.Id)!;
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.True(Directory.Exists(cancelled.Directory));

        await training.RemoveAsync(run.Id);

        Assert.Null(training.Find(run.Id));
        Assert.DoesNotContain(training.Runs(), r => r.Id == run.Id);
        Assert.False(Directory.Exists(cancelled.Directory));
        Assert.True(File.Exists(cancelled.Output)); // what it trained is the user's to delete
    }

    [Fact]
    public async Task ARunWhoseCheckpointALaterRunReplaced_PointsAtItsOwnWeights_NowUnderReplaced()
    {
        var first = await Finished(TinyRun.Pretrain(1, "my_sft"));
        var second = await Finished(TinyRun.Pretrain(2, "my_sft"));

        var place = Path.Combine(folders.Paths.OutDir, "my_sft.safetensors");
        Assert.Equal(place, second.Output);
        var moved = training.Find(first.Id)!.Output!;
        Assert.StartsWith(Path.Combine(folders.Paths.OutDir, TrainingJob.ReplacedFolder) + Path.DirectorySeparatorChar, moved);
        Assert.Equal((first.Id, 1L), (MiniMind.Engine.Checkpoints.ModelCheckpoint.ReadInfo(moved)!.RunId, MiniMind.Engine.Checkpoints.ModelCheckpoint.ReadInfo(moved)!.Step));
        Assert.Equal(moved, training.Runs().Single(r => r.Id == first.Id).Output);
        // the replaced file is a checkpoint of the list: it can be opened, compared and deleted
        Assert.Contains(new CheckpointCatalog(folders.Paths).List(), c => c.Path == moved && c.Id.StartsWith("replaced/my_sft-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACompletedRun_IsNotRemoved_AndAFolderOutsideOutRunsIsLeft()
    {
        var completed = await Finished(TinyRun.Pretrain(1, "done"));
        Assert.Contains("only failed or cancelled", (await Assert.ThrowsAsync<InvalidOperationException>(() => training.RemoveAsync(completed.Id))).Message);
        Assert.NotNull(training.Find(completed.Id));

        // a registry row pointing elsewhere (edited by hand, or an older layout): the row goes, the folder stays
        var elsewhere = Directory.CreateTempSubdirectory("minimind-not-a-run-").FullName;
        try
        {
            registry.Save(completed with { Id = "20260101-000000-pretrain-abcdef", Status = RunStatus.Failed, Directory = elsewhere });
            await training.RemoveAsync("20260101-000000-pretrain-abcdef");
            Assert.Null(training.Find("20260101-000000-pretrain-abcdef"));
            Assert.True(Directory.Exists(elsewhere));
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}
