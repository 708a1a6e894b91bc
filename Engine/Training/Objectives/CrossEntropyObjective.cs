using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
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
    /// True (the default): <see cref="ChunkedHeadLoss"/>; false: the head's full logits and
    /// <see cref="TokenLoss.PerTokenCrossEntropy"/> (the unfused path: A/B benchmarks and the <c>chunked_head</c> option).
    /// </summary>
    public bool ChunkedHead { get; init; } = true;

    public ObjectiveResult Compute(MiniMindModel model, BatchTensors batch)
    {
        using var scope = NewDisposeScope();
        var (sum, aux) = head.Forward(model, batch.Inputs, batch.Targets, batch.LossMask / batch.LossMask.sum().clamp_min(KeptScalars.OneFloat), ChunkedHead);
        return new ObjectiveResult(ObjectiveResult.WithAux(sum, aux).MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope());
    }

    public void AfterBackward() => head.AfterBackward();

    public void Dispose() => head.Dispose();
}
