using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training.Objectives;

/// <summary>
/// One batch on the training device: inputs and targets (B, T) int64, loss mask (B, T) fp32; for a reinforcement-learning
/// stage also its prompts and reference answers on the host (<see cref="TokenBatch.Prompts"/>).
/// </summary>
public sealed record BatchTensors(Tensor Inputs, Tensor Targets, Tensor LossMask, PromptBatch? Prompts = null);

/// <summary>
/// What an objective returns for one micro-batch: the loss to backpropagate (before gradient-accumulation
/// scaling), the MoE aux part of it (null for a dense model), and any extra figures worth logging (e.g. DPO reward margin).
/// </summary>
public sealed record ObjectiveResult(Tensor Loss, Tensor? AuxLoss, IReadOnlyDictionary<string, Tensor>? Extra = null)
{
    /// <summary><paramref name="loss"/> plus the model's aux loss when it has one.</summary>
    public static Tensor WithAux(Tensor loss, Tensor? aux) => aux is null ? loss : loss + aux;
}

/// <summary>
/// The stage-specific part of training: how a batch becomes a loss. Everything else (optimizer,
/// schedule, accumulation, clipping, checkpoints, metrics) is the one shared loop in <see cref="Trainer"/>.
/// </summary>
public interface IObjective : IDisposable
{
    string Name { get; }

    /// <summary>Whether batch rows come in pairs (DPO: chosen rows, then their rejected rows): splitting must keep them together.</summary>
    bool PairedRows => false;

    ObjectiveResult Compute(MiniMindModel model, BatchTensors batch);

    /// <summary>
    /// Called by the loop right after the backward of a <see cref="Compute"/> result: frees what the objective kept
    /// for that backward, and throws what went wrong inside it (a fault there cannot cross autograd's native frames).
    /// </summary>
    void AfterBackward() { }
}
