using MiniMind.Engine.Generation;
using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Generation;

/// <summary>
/// Models move between dtypes and devices (what serving on a GPU first does). TorchSharp's Module.to maps
/// fields by component name, so a block must not declare two fields under one name.
/// </summary>
public sealed class ModelMoveTests
{
    [Fact]
    public void DenseModel_ConvertedToFloat64_StillGivesTheReferenceGreedyTokens()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();

        model.to(ScalarType.Float64);
        var tokens = TokenGenerator.Generate(model, new GenerationRequest { Prompts = [io["greedy_prompt"].data<long>().ToArray()], MaxNewTokens = 24 });

        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Equal(io["greedy_tokens"].data<long>().ToArray(), tokens[0]);
        // still tied: one tensor under both names
        var output = model.Projections().Single(p => p.Name == "output").Projection;
        Assert.Equal(model.named_parameters().Single(p => p.name == "tok_embeddings.weight").parameter.Handle, output.Weight.Handle);
    }

    [Fact]
    public void MoEModel_MovesToAnotherDevice()
    {
        using var model = new MiniMindModel(new MiniMindConfig { Dim = 32, NLayers = 1, NHeads = 2, NKvHeads = 1, VocabSize = 64, MaxSeqLen = 16, UseMoe = true });

        model.to(META); // the device that holds no data: a move without a GPU

        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.META, p.device_type));
        Assert.Equal(DeviceType.META, model.Projections().Single(p => p.Name == "output").Projection.Weight.device_type);
    }
}
