using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training.Objectives;

/// <summary>
/// Next-token cross-entropy averaged over the target positions (the mask), plus the MoE aux loss:
/// pretraining (pads masked) and supervised fine-tuning (only the assistant's tokens), as the
/// seed's train_pretrain.py / train_full_sft.py / train_lora.py.
/// </summary>
public sealed class CrossEntropyObjective(string name) : IObjective
{
    readonly ChunkedHeadLoss head = new();

    public string Name { get; } = name;

    /// <summary>
    /// False: the head's full logits and <see cref="TokenLoss.PerTokenCrossEntropy"/> (the unfused path, for A/B
    /// benchmarks); true (the default): <see cref="ChunkedHeadLoss"/>, the same loss and gradients in less memory.
    /// </summary>
    public bool ChunkedHead { get; init; } = true;

    public ObjectiveResult Compute(MiniMindModel model, BatchTensors batch)
    {
        using var scope = NewDisposeScope();
        Tensor loss, aux;
        if (ChunkedHead)
        {
            (var hidden, aux) = model.ForwardHidden(batch.Inputs);
            loss = head.WeightedSum(model, hidden, batch.Targets, batch.LossMask / batch.LossMask.sum().clamp_min(1.0)) + aux;
        }
        else
        {
            (var logits, aux) = model.Forward(batch.Inputs);
            loss = TokenLoss.MaskedMean(TokenLoss.PerTokenCrossEntropy(logits, batch.Targets), batch.LossMask, batch.LossMask.sum()) + aux;
        }
        return new ObjectiveResult(loss.MoveToOuterDisposeScope(), aux.MoveToOuterDisposeScope());
    }

    public void AfterBackward() => head.AfterBackward();

    public void Dispose() => head.Dispose();
}
