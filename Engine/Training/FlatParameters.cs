using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training;

/// <summary>
/// Trainable parameters moved into one contiguous buffer, and their gradients into another: each parameter
/// becomes a view of <see cref="Data"/> and its <c>.grad</c> a view of <see cref="Grad"/> (autograd then
/// accumulates into the views in place, as PyTorch's DDP does with gradient_as_bucket_view). The optimizer,
/// the gradient clip, zeroing and the data-parallel reduce each become a handful of operations over one
/// tensor instead of a handful per parameter: on a GPU, where a 26M model's step is bound by kernel launches,
/// that removes hundreds of launches per step. Views only: the model keeps its modules and state-dict names.
/// </summary>
public sealed class FlatParameters : IDisposable
{
    readonly IReadOnlyList<Parameter> parameters;

    /// <param name="workingType">
    /// bf16 for bf16-pure training: forward reads bf16 working copies (views of <see cref="Work"/>, gradients in
    /// <see cref="Grad"/>, also bf16) while the parameters stay the fp32 master weights the optimizer updates;
    /// null: forward reads the parameters and <see cref="Grad"/> holds their own gradients.
    /// </param>
    public FlatParameters(IReadOnlyList<Parameter> parameters, ScalarType? workingType = null)
    {
        if (parameters.Count == 0) throw new ArgumentException("No trainable parameters.");
        var first = parameters[0];
        foreach (var p in parameters)
            if (p.device_type != first.device_type || p.device_index != first.device_index || p.dtype != first.dtype)
                throw new ArgumentException($"Trainable parameters must share one device and dtype; found {first.device}/{first.dtype} and {p.device}/{p.dtype}.");
        this.parameters = parameters;
        Count = parameters.Sum(p => p.numel());
        bool working = workingType is { } w && w != first.dtype;
        Data = empty(Count, first.dtype, first.device).DetachFromDisposeScope();
        Grad = zeros(Count, working ? workingType!.Value : first.dtype, first.device).DetachFromDisposeScope();
        Work = working ? empty(Count, workingType!.Value, first.device).DetachFromDisposeScope() : null;
        var views = working ? new List<Tensor>(parameters.Count) : null;
        using var noGrad = no_grad();
        long offset = 0;
        foreach (var p in parameters)
        {
            long n = p.numel();
            using (var slot = Data.narrow(0, offset, n).view(p.shape))
            {
                slot.copy_(p);
                p.set_(slot);
            }
            using (var gradSlot = Grad.narrow(0, offset, n).view(p.shape))
            {
                if (Work is null) p.grad = gradSlot;
                else
                {
                    // a leaf of its own (Work requires no gradient), whose gradient accumulates into Grad in place
                    var view = Work.narrow(0, offset, n).view(p.shape).requires_grad_(true).DetachFromDisposeScope();
                    view.grad = gradSlot;
                    views!.Add(view);
                }
            }
            offset += n;
        }
        WorkingViews = views;
        RefreshWork();
    }

    /// <summary>The bf16 working copies forward reads (bf16-pure training), one per parameter in order; null otherwise.</summary>
    public IReadOnlyList<Tensor>? WorkingViews { get; }

    /// <summary>The working copies' buffer (bf16-pure training), or null.</summary>
    public Tensor? Work { get; }

    /// <summary>The working copies' dtype, or null when forward reads the parameters.</summary>
    public ScalarType? WorkingType => Work?.dtype;

    /// <summary>Copies the (fp32) parameters into the working copies: after each optimizer step and after a restore.</summary>
    public void RefreshWork()
    {
        if (Work is null) return;
        using var noGrad = no_grad();
        Work.copy_(Data);
    }

    /// <summary>The parameters, in buffer order.</summary>
    public IReadOnlyList<Parameter> Parameters => parameters;

    /// <summary>Number of elements over all parameters.</summary>
    public long Count { get; }

    /// <summary>Every parameter's values, one after another (the parameters are views of it).</summary>
    public Tensor Data { get; }

    /// <summary>Every parameter's gradient, in the same layout (the parameters' <c>.grad</c>, or the working copies', are views of it).</summary>
    public Tensor Grad { get; }

    public void ZeroGrad() => Grad.zero_();

    /// <summary>True when another buffer holds parameters of the same shapes in the same order (a replica's).</summary>
    public bool SameLayout(FlatParameters other) =>
        other.Count == Count && other.parameters.Count == parameters.Count && other.WorkingType == WorkingType &&
        parameters.Zip(other.parameters).All(pair => pair.First.shape.SequenceEqual(pair.Second.shape));

    /// <summary>Drops this object's handles; the parameters keep the storage alive through their views.</summary>
    public void Dispose()
    {
        Data.Dispose();
        Grad.Dispose();
        Work?.Dispose();
        foreach (var view in WorkingViews ?? []) view.Dispose();
    }
}
