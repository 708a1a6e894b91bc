using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Evaluation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tests.Chat;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Evaluation;

/// <summary>What a benchmark scores: a model as it is, an adapter merged into the base its sidecar names.</summary>
public sealed class EvaluatedModelTests
{
    [Fact]
    public void AnAdapter_IsScoredMergedIntoItsBase_AndAModelAsItIs()
    {
        using var folder = new ChatOutFolder();
        using var _ = no_grad();
        var ids = Fixture.TinyDenseIo()["input_ids"];
        using var expected = ModelCheckpoint.Load(folder.BasePath);
        AdapterCheckpoint.Load(expected, folder.AdapterPath); // unmerged: the adapter's own forward

        using var adapted = EvaluatedModel.Load(folder.AdapterPath);
        using var plain = EvaluatedModel.Load(folder.BasePath);

        var want = expected.Forward(ids).Logits;
        Assert.True(allclose(adapted.Forward(ids).Logits, want, rtol: 1e-4, atol: 1e-4), "the merged adapter gives the adapter's logits");
        Assert.False(allclose(plain.Forward(ids).Logits, want, rtol: 1e-3, atol: 1e-3), "the base alone does not");
    }

    [Fact]
    public void AnAdapterWhoseBaseIsGone_IsRefusedNamingTheBase()
    {
        using var folder = new ChatOutFolder();
        File.Delete(folder.BasePath);

        var error = Assert.Throws<FileNotFoundException>(() => EvaluatedModel.Load(folder.AdapterPath));

        Assert.Contains(folder.AdapterPath, error.Message);
        Assert.Contains("tiny.safetensors", error.Message);
    }
}
