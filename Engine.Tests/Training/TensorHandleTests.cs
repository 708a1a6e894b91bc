using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using MiniMind.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

/// <summary>
/// What a run does with its weights leaves no tensor handle behind: a handle left to the finalizer keeps the buffer it
/// views alive (the run's whole flat weight buffer, for a slot or a detached state-dict entry) until a GC, so every run
/// in a long-lived studio added the weights' size to the resident set. The live-handle count is per thread.
/// </summary>
public class TensorHandleTests : IDisposable
{
    static readonly MiniMindConfig Small = new() { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, VocabSize = 64, MaxSeqLen = 32 };
    readonly string dir = Directory.CreateTempSubdirectory("minimind-handles-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    static long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    static MiniMindModel NewModel()
    {
        manual_seed(3);
        return new MiniMindModel(Small);
    }

    static void Backward(MiniMindModel model)
    {
        using var scope = NewDisposeScope();
        var ids = randint(0, Small.VocabSize, [2, 8]);
        var (logits, _) = model.Forward(ids);
        logits.square().mean().backward();
    }

    [Fact]
    public void FlatParameters_GatherAndZero_LeaveNoHandle()
    {
        using var model = NewModel();
        var parameters = model.UniqueParameters();
        long before = Live();
        using (var flat = new FlatParameters(parameters))
        {
            Backward(model);
            flat.GatherGradients();
            flat.ZeroGrad();
        }
        Assert.Equal(before, Live());
    }

    [Fact]
    public void ModelCheckpointSave_LeavesNoHandle()
    {
        using var model = NewModel();
        long before = Live();
        ModelCheckpoint.Save(model, Path.Combine(dir, "m.safetensors"), new CheckpointInfo { Config = model.Config });
        Assert.Equal(before, Live());
    }

    [Fact]
    public void ResumeStateSave_LeavesNoHandle()
    {
        using var model = NewModel();
        using var flat = new FlatParameters(model.UniqueParameters());
        using var optimizer = new FusedAdamW(flat);
        long before = Live();
        ResumeState.Save(Path.Combine(dir, "resume"), new ResumeState { Step = 1, TotalSteps = 2, Cursor = new LoaderCursor(0, 1, 0) }, model, optimizer);
        Assert.Equal(before, Live());
    }
}
