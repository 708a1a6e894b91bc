using MiniMind.Engine.Model;
using MiniMind.Engine.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Model;

/// <summary>Five AdamW steps against the seed's (tiny-dense/io.safetensors train_* tensors).</summary>
public sealed class TrainingParityTests
{
    [Fact]
    public void FiveAdamWSteps_LossesGradNormsAndFinalWeights_MatchTheSeed()
    {
        using var model = Fixture.TinyDenseModel();
        var io = Fixture.TinyDenseIo();
        var ids = io["input_ids"];
        var x = ids.narrow(1, 0, 23);
        var y = ids.narrow(1, 1, 23);
        var parameters = model.UniqueParameters();
        using var optimizer = optim.AdamW(parameters, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01);
        model.train();

        var losses = new List<float>();
        var norms = new List<double>();
        for (int step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var (logits, aux) = model.Forward(x);
            var loss = ObjectiveResult.WithAux(ReferenceParityTests.MaskedCrossEntropy(logits, y, io["loss_mask"]), aux);
            loss.backward();
            norms.Add(nn.utils.clip_grad_norm_(parameters, 1.0));
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        var expectedLosses = io["train_losses"].data<float>().ToArray();
        var expectedNorms = io["train_grad_norms"].data<float>().ToArray();
        for (int i = 0; i < 5; i++)
        {
            Assert.True(Math.Abs(losses[i] - expectedLosses[i]) <= 1e-4, $"step {i}: loss {losses[i]} vs {expectedLosses[i]}");
            Assert.True(Math.Abs(norms[i] - expectedNorms[i]) <= 1e-3 * expectedNorms[i], $"step {i}: grad norm {norms[i]} vs {expectedNorms[i]}");
        }
        double sum = parameters.Sum(p => p.sum().item<float>());
        double expectedSum = io["param_sum_after"].item<float>();
        Assert.True(Math.Abs(sum - expectedSum) <= 1e-3 * Math.Abs(expectedSum), $"parameter sum {sum} vs {expectedSum}");
    }
}
