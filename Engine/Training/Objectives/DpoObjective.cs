using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training.Objectives;

/// <summary>
/// Direct preference optimisation (Rafailov et al. 2023), in the corrected form of the newest MiniMind:
/// per-sequence log-probabilities summed over target positions, batch = chosen rows then rejected rows,
/// <c>loss = mean(-logsigmoid(beta * ((pc - pr) - (rc - rr))))</c> against a frozen reference model.
/// With <c>chosenNllWeight</c> w &gt; 0 it adds <c>w * NLL(chosen)</c> per chosen token (RPO, Pang et al. 2024,
/// "Iterative Reasoning Preference Optimization"): plain DPO can widen the margin by pushing both answers down, so a
/// small model stops giving the rejected answer without learning to give the chosen one. w = 0 is the seed's DPO.
/// </summary>
public sealed class DpoObjective : IObjective
{
    readonly MiniMindModel reference;
    readonly double beta, chosenNllWeight;

    /// <param name="reference">The frozen reference (a copy of the starting checkpoint); this objective owns it.</param>
    public DpoObjective(MiniMindModel reference, double beta, double chosenNllWeight = 0)
    {
        if (beta <= 0) throw new ArgumentException($"dpo_beta must be positive; got {beta}.");
        if (chosenNllWeight < 0 || !double.IsFinite(chosenNllWeight)) throw new ArgumentException($"dpo_sft_weight must be >= 0; got {chosenNllWeight}.");
        this.reference = reference;
        this.beta = beta;
        this.chosenNllWeight = chosenNllWeight;
        reference.eval();
        foreach (var p in reference.parameters()) p.requires_grad = false;
    }

    public string Name => "dpo";

    public bool PairedRows => true;

    public ObjectiveResult Compute(MiniMindModel model, BatchTensors batch)
    {
        using var scope = NewDisposeScope();
        if (batch.Inputs.shape[0] % 2 != 0)
            throw new ArgumentException($"A DPO batch holds chosen then rejected rows: an even row count, got {batch.Inputs.shape[0]}.");
        int half = (int)(batch.Inputs.shape[0] / 2);
        Tensor referenceLogp;
        using (no_grad())
            (referenceLogp, _) = SequenceLogProbs(reference, batch);
        var (policyLogp, aux) = SequenceLogProbs(model, batch);
        var loss = ObjectiveResult.WithAux(Loss(policyLogp, referenceLogp, beta), aux);
        var chosenTokens = batch.LossMask[..half].sum().clamp_min(KeptScalars.OneFloat);
        var chosenNll = -policyLogp[..half].sum() / chosenTokens;
        if (chosenNllWeight > 0) loss = loss + chosenNllWeight * chosenNll;
        using var noGradient = no_grad();
        var chosenReward = (policyLogp[..half] - referenceLogp[..half]) * beta; // the implicit rewards of DPO
        var rejectedReward = (policyLogp[half..] - referenceLogp[half..]) * beta;
        var metrics = new Dictionary<string, Tensor>
        {
            ["reward_margin"] = (chosenReward - rejectedReward).mean(),
            ["reward_accuracy"] = (chosenReward > rejectedReward).to(ScalarType.Float32).mean(),
            ["chosen_reward"] = chosenReward.mean(),
            ["rejected_reward"] = rejectedReward.mean(),
            ["chosen_nll"] = chosenNll.detach(),
        };
        foreach (var m in metrics.Values) m.MoveToOuterDisposeScope();
        return new ObjectiveResult(loss.MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope(), metrics);
    }

    /// <summary>Each row's summed log-probability of its targets (over the mask), and the model's aux loss.</summary>
    static (Tensor LogProbs, Tensor? AuxLoss) SequenceLogProbs(MiniMindModel model, BatchTensors batch)
    {
        var (logits, aux) = model.Forward(batch.Inputs);
        return ((TokenLoss.TargetLogProbs(logits, batch.Targets) * batch.LossMask).sum(1), aux);
    }

    /// <summary>policy and reference per-sequence log-probs (2N): chosen first, then rejected.</summary>
    public static Tensor Loss(Tensor policy, Tensor reference, double beta)
    {
        using var scope = NewDisposeScope();
        int half = (int)(policy.shape[0] / 2);
        var policyRatio = policy[..half] - policy[half..];
        var referenceRatio = reference[..half] - reference[half..];
        var loss = -nn.functional.logsigmoid(beta * (policyRatio - referenceRatio));
        return loss.mean().MoveToOuterDisposeScope();
    }

    public void Dispose() => reference.Dispose();
}
