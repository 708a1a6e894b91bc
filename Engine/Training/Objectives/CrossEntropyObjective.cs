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
    public string Name { get; } = name;

    public ObjectiveResult Compute(MiniMindModel model, BatchTensors batch)
    {
        using var scope = NewDisposeScope();
        var (logits, aux) = model.Forward(batch.Inputs);
        var ce = TokenLoss.PerTokenCrossEntropy(logits, batch.Targets);
        var loss = TokenLoss.MaskedMean(ce, batch.LossMask, batch.LossMask.sum()) + aux;
        return new ObjectiveResult(loss.MoveToOuterDisposeScope(), aux.MoveToOuterDisposeScope());
    }

    public void Dispose() { }
}
