using MiniMind.Engine.Chat;
using MiniMind.Engine.Data;
using MiniMind.Engine.Generation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tests.Chat;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Model;

/// <summary>Weights converted to bf16 for serving: still the reference model within bf16 rounding, cache and rotary included.</summary>
public sealed class InferenceWeightsTests
{
    [Fact]
    public void Bf16Weights_GiveTheReferenceLogits_WithinBf16Rounding_AndKeepTheRotaryTablesAndTheTie()
    {
        using var model = Fixture.TinyDenseModel().ConvertWeightsForInference(ScalarType.BFloat16);
        var io = Fixture.TinyDenseIo();
        using var _ = no_grad();

        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        Assert.Equal(ScalarType.Float32, Rotary(model).TableType);
        var (logits, _) = model.Forward(io["input_ids"]);
        float error = Fixture.MaxAbsDiff(logits, io["logits"]);
        Assert.True(error < 0.1, $"bf16 logits differ from the reference by {error}");
        Assert.True(error > 0, "the weights should really be bf16");

        var state = model.state_dict(); // the output head still shares the embedding's (converted) matrix
        state["tok_embeddings.weight"][0, 0] = tensor(7.0f, ScalarType.BFloat16);
        Assert.Equal(7.0f, state["output.weight"][0, 0].to(ScalarType.Float32).item<float>());
    }

    [Fact]
    public void MoveAndConvertInOneCall_KeepsTheRotaryTablesFp32()
    {
        using var model = Fixture.TinyDenseModel();

        model.to(CPU, ScalarType.BFloat16);

        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        Assert.Equal(ScalarType.Float32, Rotary(model).TableType);
    }

    static RotaryEmbedding Rotary(MiniMindModel model) => (RotaryEmbedding)model.named_modules().Single(m => m.name == "rotary").module;

    [Fact]
    public void Bf16Weights_KvSteps_EqualTheirOwnFullSequence()
    {
        using var model = Fixture.TinyDenseModel().ConvertWeightsForInference(ScalarType.BFloat16);
        var ids = Fixture.TinyDenseIo()["input_ids"];
        using var _ = no_grad();
        var (full, _) = model.Forward(ids);
        using var cache = new KVCache(model.Config, 2, 24, CPU, ScalarType.BFloat16);

        var steps = new List<Tensor> { model.Forward(ids.narrow(1, 0, 16), 0, cache, lastOnly: true).Logits };
        for (int p = 16; p < 24; p++) steps.Add(model.Forward(ids.narrow(1, p, 1), p, cache).Logits);

        Assert.True(Fixture.MaxAbsDiff(cat(steps, 1), full.narrow(1, 15, 9)) < 0.05);
    }

    [Fact]
    public async Task ChatModel_ServingInBf16_ConvertsOnce_AndAnswers()
    {
        using var folder = new ChatOutFolder();
        using var chat = ChatModel.Load(folder.BasePath, options: new ChatModelOptions { ComputeType = ScalarType.BFloat16 });

        Assert.Equal(ScalarType.BFloat16, chat.WeightType);
        var completion = await chat.CompleteAsync([ChatMessage.User("你好")], new ChatOptions { Temperature = 0, MaxTokens = 12 });
        Assert.True(completion.Usage.CompletionTokens > 0);
    }
}
