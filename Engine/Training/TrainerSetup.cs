using MiniMind.Engine.Model;
using MiniMind.Engine.Training.Objectives;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training;

/// <summary>A run ready for the loop: model, trainable parameters, objective, data, where outputs go. Disposing it releases them.</summary>
public sealed record TrainerSetup : IDisposable
{
    public required TrainingOptions Options { get; init; }
    public required MiniMindModel Model { get; init; }
    public required IReadOnlyList<Parameter> Trainable { get; init; }
    public required IObjective Objective { get; init; }
    public required ITrainingData Data { get; init; }
    public required Device Device { get; init; }
    public required RunDirectory Run { get; init; }
    /// <summary>The stage's output checkpoint (e.g. out/full_sft_512.safetensors).</summary>
    public required string OutputPath { get; init; }
    /// <summary>Writes the output checkpoint for a given optimizer step (full weights, or only the adapters for LoRA).</summary>
    public required Action<string, long> SaveOutput { get; init; }
    /// <summary>Continue from this run folder's resume state.</summary>
    public bool Resume { get; init; }
    /// <summary>
    /// bf16 for bf16-pure training: forward and backward run on bf16 working copies of the trainable weights while
    /// the weights themselves (what checkpoints and resume states hold) stay fp32 masters; null: they run on the weights.
    /// </summary>
    public ScalarType? WorkingWeights { get; init; }
    /// <summary>Replicas on other devices (data parallel), or null for one device.</summary>
    public DataParallel? Parallel { get; init; }

    public void Dispose()
    {
        Objective.Dispose();
        (Data as IDisposable)?.Dispose();
        Parallel?.Dispose();
        Model.Dispose();
    }
}
