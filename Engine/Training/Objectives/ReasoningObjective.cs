using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training.Objectives;

/// <summary>
/// Reasoning distillation (the seed's train_distill_reason.py): SFT cross-entropy in which the target
/// positions holding any token of the <c>&lt;think&gt;</c>, <c>&lt;/think&gt;</c>, <c>&lt;answer&gt;</c>,
/// <c>&lt;/answer&gt;</c> tags weigh <paramref name="tagWeight"/> (10), normalised by the unweighted
/// target count as the seed does. Unlike the seed, only positions that are targets at all are up-weighted.
/// </summary>
public sealed class ReasoningObjective : IObjective
{
    readonly Tensor tagIds; // (n) int64, on the CPU
    Tensor? deviceTagIds;   // the same on the training device, copied once (a copy per step would wait for the GPU)
    readonly double tagWeight;
    readonly ChunkedHeadLoss head = new();

    public ReasoningObjective(IEnumerable<long> tagTokenIds, double tagWeight)
    {
        var ids = tagTokenIds.Distinct().ToArray();
        if (ids.Length == 0) throw new ArgumentException("The reasoning objective needs the token ids of its tags.");
        if (tagWeight <= 0) throw new ArgumentException($"tag_weight must be positive; got {tagWeight}.");
        tagIds = tensor(ids).DetachFromDisposeScope();
        this.tagWeight = tagWeight;
    }

    public string Name => "reason";

    /// <summary>True (the default): <see cref="ChunkedHeadLoss"/>; false: the head's full logits (as <see cref="CrossEntropyObjective.ChunkedHead"/>).</summary>
    public bool ChunkedHead { get; init; } = true;

    public ObjectiveResult Compute(MiniMindModel model, BatchTensors batch)
    {
        using var scope = NewDisposeScope();
        var ids = tagIds;
        if (batch.Targets.device_type != DeviceType.CPU)
        {
            if (deviceTagIds is null || deviceTagIds.device_index != batch.Targets.device_index)
            {
                deviceTagIds?.Dispose();
                deviceTagIds = tagIds.to(batch.Targets.device).DetachFromDisposeScope();
            }
            ids = deviceTagIds;
        }
        var isTag = isin(batch.Targets, ids) & (batch.LossMask > 0);
        var weights = where(isTag, full_like(batch.LossMask, tagWeight), batch.LossMask);
        var (sum, aux) = head.Forward(model, batch.Inputs, batch.Targets, weights / batch.LossMask.sum().clamp_min(KeptScalars.OneFloat), ChunkedHead);
        return new ObjectiveResult(ObjectiveResult.WithAux(sum, aux).MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope());
    }

    public void AfterBackward() => head.AfterBackward();

    public void Dispose()
    {
        tagIds.Dispose();
        deviceTagIds?.Dispose();
        head.Dispose();
    }
}
