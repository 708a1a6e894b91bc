using Microsoft.Extensions.Logging.Abstractions;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Training;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Services;

/// <summary>Home's "train the demo model": the demo recipe as one pipeline, each step from the checkpoint of the one before.</summary>
public sealed class DemoPipelineTests : IDisposable
{
    readonly StudioFolders folders = new();
    readonly RunManager manager = new(TorchRuntime.Initialize(new RuntimeOptions("cpu")));
    readonly DemoPipeline pipeline;

    public DemoPipelineTests()
    {
        var training = new TrainingService(manager, new RunRegistry(folders.Paths), new TrainingNotifications(folders.Options),
            folders.Paths, NullLogger<TrainingService>.Instance);
        pipeline = new DemoPipeline(training, folders.Paths, folders.Options, NullLogger<DemoPipeline>.Instance);
    }

    public void Dispose()
    {
        manager.Dispose();
        folders.Dispose();
    }

    /// <summary>The real recipe, cut to three steps each and short rows so the test takes seconds.</summary>
    static TrainingOptions Short(TrainingOptions o) => o with { MaxSteps = 3, MaxSeqLen = 48, BatchSize = 2, Device = "cpu" };

    async Task<IReadOnlyList<PipelineStep>> Finished()
    {
        var ended = new TaskCompletionSource();
        pipeline.Changed += () => { if (!pipeline.Active) ended.TrySetResult(); };
        if (!pipeline.Active) ended.TrySetResult();
        await ended.Task.WaitAsync(TimeSpan.FromMinutes(5));
        return pipeline.Steps;
    }

    [Fact]
    public async Task ThePipeline_RunsEveryChosenStage_EachFromTheCheckpointBeforeIt()
    {
        var first = pipeline.Start(new DemoPipelineChoice(Lora: true, Distill: true, Grpo: true), Short);
        Assert.Equal(TrainingStage.Pretrain, first.Stage);

        var steps = await Finished();

        Assert.Equal([TrainingStage.Pretrain, TrainingStage.Sft, TrainingStage.Dpo, TrainingStage.Lora, TrainingStage.Distill, TrainingStage.Grpo], steps.Select(s => s.Stage));
        Assert.All(steps, s => Assert.Equal(PipelineStepState.Completed, s.State));
        Assert.True(pipeline.Completed);
        string Out(string name) => Path.Combine(folders.OutDir, name + ".safetensors");
        Assert.Equal(Out(DemoRecipe.PretrainName), ModelCheckpoint.ReadInfo(Out(DemoRecipe.SftName))!.BaseCheckpoint);
        Assert.Equal(Out(DemoRecipe.SftName), ModelCheckpoint.ReadInfo(Out(DemoRecipe.DpoName))!.BaseCheckpoint);
        var adapter = ModelCheckpoint.ReadInfo(Out(DemoRecipe.LoraName))!;
        Assert.Equal((Out(DemoRecipe.DpoName), "all"), (adapter.BaseCheckpoint, adapter.Lora!.Targets));
        Assert.Equal(DemoRecipe.Student.Dim, ModelCheckpoint.ReadInfo(Out(DemoRecipe.DistillName))!.Config.Dim);
        Assert.Equal((Out(DemoRecipe.SftName), "grpo"), (ModelCheckpoint.ReadInfo(Out(DemoRecipe.GrpoName))!.BaseCheckpoint, ModelCheckpoint.ReadInfo(Out(DemoRecipe.GrpoName))!.Stage));
        Assert.Equal(steps[1].RunId, pipeline.NextRun(steps[0].RunId!));
        Assert.Equal(Out(DemoRecipe.DpoName), pipeline.Output(TrainingStage.Dpo));
    }

    [Fact]
    public async Task AStepThatCannotRun_FailsWithItsReason_AndTheRestAreSkipped()
    {
        pipeline.Start(new DemoPipelineChoice(Reason: true),
            o => Short(o.Stage == TrainingStage.Sft ? o with { DataPath = "dataset/no_such_file.jsonl" } : o));

        var steps = await Finished();

        Assert.Equal(
            [PipelineStepState.Completed, PipelineStepState.Failed, PipelineStepState.Skipped, PipelineStepState.Skipped],
            steps.Select(s => s.State));
        Assert.Contains("no_such_file.jsonl", steps[1].Message);
        Assert.False(pipeline.Completed);
        Assert.Null(pipeline.Output(TrainingStage.Dpo));
        pipeline.Start(new DemoPipelineChoice(), Short); // an ended pipeline can start again
        Assert.True(pipeline.Active);
        Assert.Throws<InvalidOperationException>(() => pipeline.Start(new DemoPipelineChoice(), Short));
        await Finished();
    }

    /// <summary>The minimind-3 shape: every stage of its pipeline builds or continues a Qwen3-shaped model, its student too.</summary>
    [Fact]
    public async Task TheMinimind3Shape_TrainsEveryStageAsMinimind3()
    {
        Assert.Throws<ArgumentException>(() => pipeline.Start(new DemoPipelineChoice(Preset: "base"), Short));
        pipeline.Start(new DemoPipelineChoice(Distill: true, Preset: "minimind3-tiny"), Short);

        var steps = await Finished();

        Assert.All(steps, s => Assert.Equal(PipelineStepState.Completed, s.State));
        Assert.Equal("minimind3-tiny", pipeline.Choice!.Preset);
        foreach (var step in steps)
        {
            var config = ModelCheckpoint.ReadInfo(step.Output!)!.Config;
            Assert.Equal(MiniMind.Engine.Model.MiniMindConfig.MiniMind3, config.Family);
            Assert.True(config.QkNorm, step.Stage.ToString());
        }
        Assert.Equal(DemoRecipe.StudentOf("minimind3-tiny").Dim, ModelCheckpoint.ReadInfo(steps[^1].Output!)!.Config.Dim);
        Assert.Equal(DemoRecipe.Student, DemoRecipe.StudentOf("tiny"));
    }

    /// <summary>The tool stage: an SFT run on the tool data from the DPO model, in the pipeline when ticked.</summary>
    [Fact]
    public async Task TheToolStage_RunsFromTheDpoModel_WhenTicked()
    {
        pipeline.Start(new DemoPipelineChoice(Tools: true), o => Short(o) with { MaxSeqLen = o.Stage == TrainingStage.Tools ? 336 : 48 });

        var steps = await Finished();

        Assert.Equal([TrainingStage.Pretrain, TrainingStage.Sft, TrainingStage.Dpo, TrainingStage.Tools], steps.Select(s => s.Stage));
        Assert.All(steps, s => Assert.Equal(PipelineStepState.Completed, s.State));
        string Out(string name) => Path.Combine(folders.OutDir, name + ".safetensors");
        var tools = ModelCheckpoint.ReadInfo(Out(DemoRecipe.ToolsName))!;
        Assert.Equal((Out(DemoRecipe.DpoName), "tools"), (tools.BaseCheckpoint, tools.Stage));
        Assert.True(pipeline.Choice!.Tools);
    }
}
