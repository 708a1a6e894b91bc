using Microsoft.Extensions.Logging.Abstractions;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Training;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Services;

/// <summary>Home's "train the demo model": the demo recipe's pretraining, then SFT from its checkpoint, on the bundled corpus.</summary>
public sealed class DemoModelTests
{
    [Fact]
    public async Task TrainTheDemoModel_PretrainsThenFineTunesFromThatCheckpoint()
    {
        using var folders = new StudioFolders();
        using var manager = new RunManager(TorchRuntime.Initialize(new RuntimeOptions("cpu")));
        var service = new TrainingService(manager, new RunRegistry(folders.Paths), new TrainingNotifications(folders.Options),
            folders.Paths, NullLogger<TrainingService>.Instance);

        // the real recipe, cut to three steps each and short rows so the test takes seconds
        var pretrain = service.StartDemo(o => o with { MaxSteps = 3, MaxSeqLen = 32, BatchSize = 2, Device = "cpu" });
        var first = await manager.Find(pretrain.Id)!.Completion;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (service.DemoSftRunId is null && DateTime.UtcNow < deadline) await Task.Delay(50);
        var second = await manager.Find(service.DemoSftRunId!)!.Completion;

        Assert.Equal((RunOutcome.Completed, RunOutcome.Completed), (first.Outcome, second.Outcome));
        Assert.EndsWith("demo_pretrain.safetensors", first.OutputPath);
        var sft = ModelCheckpoint.ReadInfo(second.OutputPath)!;
        Assert.Equal(("sft", 3L), (sft.Stage, sft.Step));
        Assert.Equal(Path.GetFullPath(first.OutputPath), sft.BaseCheckpoint);
        Assert.Equal(128, sft.Config.Dim); // the tiny preset
    }
}
