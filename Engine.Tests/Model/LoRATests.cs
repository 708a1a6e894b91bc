using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Model;

public sealed class LoRATests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-lora-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static Tensor Ids() => Fixture.TinyDenseIo()["input_ids"];

    static Tensor Logits(MiniMindModel m, Tensor ids)
    {
        using var _ = no_grad();
        m.eval();
        return m.Forward(ids).Logits;
    }

    [Fact]
    public void FreshAdapters_LeaveOutputsUnchanged_AndUseTheSeedsNames()
    {
        using var model = Fixture.TinyDenseModel();
        var before = Logits(model, Ids());

        var trainable = LoRAAdapters.Attach(model, new LoraSettings(4, 4, "square"));

        Assert.Equal(0f, Fixture.MaxAbsDiff(before, Logits(model, Ids())));
        // the tiny model: wq and wo are square (64 x 64); wk, wv (32 x 64) and the FFN are not
        var names = model.named_parameters().Where(p => p.name.Contains(".lora.")).Select(p => p.name).Order().ToList();
        Assert.Equal(8, names.Count);
        Assert.Contains("layers.0.attention.wq.lora.A.weight", names);
        Assert.Contains("layers.1.attention.wo.lora.B.weight", names);
        Assert.Equal(8, trainable.Count);
        Assert.All(model.parameters().Where(p => !trainable.Contains(p)), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void Training_ChangesOnlyTheAdapters()
    {
        using var model = Fixture.TinyDenseModel();
        var baseWeights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var trainable = LoRAAdapters.Attach(model, new LoraSettings(4, 8, "all"));
        using var optimizer = optim.AdamW(trainable, 1e-2);
        var ids = Ids();

        for (int i = 0; i < 3; i++)
        {
            optimizer.zero_grad();
            var (logits, _) = model.Forward(ids.narrow(1, 0, 23));
            nn.functional.cross_entropy(logits.reshape(-1, 6400), ids.narrow(1, 1, 23).reshape(-1)).backward();
            optimizer.step();
        }

        foreach (var (name, t) in baseWeights) Assert.Equal(0f, Fixture.MaxAbsDiff(t, model.state_dict()[name]));
        Assert.Contains(model.named_parameters(), p => p.name.EndsWith("lora.B.weight") && p.parameter.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Merged_EqualsUnmerged_AndUnmergeRestoresTheBase()
    {
        using var model = Fixture.TinyDenseModel();
        var baseLogits = Logits(model, Ids());
        LoRAAdapters.Attach(model, new LoraSettings(4, 8, "all"));
        using (no_grad())
            foreach (var p in model.named_parameters().Where(p => p.name.EndsWith("lora.B.weight"))) p.parameter.normal_(0, 0.05);
        var adapted = Logits(model, Ids());

        LoRAAdapters.Merge(model);
        var merged = Logits(model, Ids());
        LoRAAdapters.Unmerge(model);

        Assert.True(Fixture.MaxAbsDiff(adapted, baseLogits) > 1e-3, "the adapters should change the output");
        Assert.True(Fixture.MaxAbsDiff(adapted, merged) < 1e-4);
        Assert.True(Fixture.MaxAbsDiff(adapted, Logits(model, Ids())) < 1e-5);
    }

    [Fact]
    public void SaveThenLoad_OnAFreshBase_GivesTheSameOutput()
    {
        using var model = Fixture.TinyDenseModel();
        var settings = new LoraSettings(4, 4, "square");
        LoRAAdapters.Attach(model, settings);
        using (no_grad())
            foreach (var p in model.named_parameters().Where(p => p.name.EndsWith("lora.B.weight"))) p.parameter.normal_(0, 0.05);
        var path = Path.Combine(dir, "lora_identity_64.safetensors");
        AdapterCheckpoint.Save(model, path, new CheckpointInfo { Config = model.Config, Stage = "lora", Lora = settings });

        using var fresh = Fixture.TinyDenseModel();
        var loaded = AdapterCheckpoint.Load(fresh, path);

        Assert.Equal(settings, loaded);
        Assert.True(Fixture.MaxAbsDiff(Logits(model, Ids()), Logits(fresh, Ids())) < 1e-6);
        Assert.Equal(8, Safetensors(path).Count);
    }

    static Dictionary<string, Tensor> Safetensors(string path) => TorchSharp.PyBridge.Safetensors.LoadStateDict(path);

    [Fact]
    public void LoadingAFullCheckpointAsAdapter_IsAClearError()
    {
        using var model = Fixture.TinyDenseModel();
        var e = Assert.Throws<InvalidDataException>(() => AdapterCheckpoint.Load(model, Fixture.Path("tiny-dense", "weights.safetensors")));
        Assert.Contains("not a LoRA adapter", e.Message);
    }
}
