using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training;

/// <summary>
/// Trainable parameters moved into one contiguous buffer: each parameter becomes a view of <see cref="Data"/>. Their
/// gradients are gathered into a second flat buffer, <see cref="Grad"/>, only for the optimizer step
/// (<see cref="GatherGradients"/>) and freed after it (<see cref="ZeroGrad"/>): autograd allocates each parameter's
/// gradient during backward, as activations are being freed, just as PyTorch's <c>zero_grad(set_to_none=True)</c>
/// leaves it, so the peak of a step (the end of the forward pass) holds no gradient memory at all. The optimizer, the
/// gradient clip and the data-parallel reduce each become a handful of operations over one tensor instead of a
/// handful per parameter: on a GPU, where a 26M model's step is bound by kernel launches, that removes hundreds of
/// launches per step. Views only: the model keeps its modules and state-dict names.
/// </summary>
public sealed class FlatParameters : IDisposable
{
    readonly IReadOnlyList<Parameter> parameters;
    readonly ScalarType gradType;
    Tensor? grad;

    /// <param name="workingType">
    /// bf16 for bf16-pure training: forward reads bf16 working copies (views of <see cref="Work"/>, whose gradients are
    /// gathered into <see cref="Grad"/>, also bf16) while the parameters stay the fp32 master weights the optimizer
    /// updates; null: forward reads the parameters and <see cref="Grad"/> gathers their own gradients.
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
        gradType = working ? workingType!.Value : first.dtype;
        Data = empty(Count, first.dtype, first.device).DetachFromDisposeScope();
        Work = working ? empty(Count, workingType!.Value, first.device).DetachFromDisposeScope() : null;
        var views = working ? new List<Tensor>(parameters.Count) : null;
        using var noGrad = no_grad();
        long offset = 0;
        foreach (var p in parameters)
        {
            long n = p.numel();
            // a scope for the narrowed handles and set_'s: one left to the finalizer keeps the whole buffer alive after Dispose
            using (NewDisposeScope())
            {
                var slot = Data.narrow(0, offset, n).view(p.shape);
                slot.copy_(p);
                p.set_(slot);
                // a leaf of its own (Work requires no gradient), whose gradient is gathered like a parameter's
                if (Work is not null) views!.Add(Work.narrow(0, offset, n).view(p.shape).requires_grad_(true).DetachFromDisposeScope());
            }
            offset += n;
        }
        WorkingViews = views;
        RefreshWork();
        ClearLeafGradients();
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

    /// <summary>
    /// Every parameter's gradient in the same layout, once <see cref="GatherGradients"/> has put it there (until
    /// <see cref="ZeroGrad"/>).
    /// </summary>
    public Tensor Grad => grad ?? throw new InvalidOperationException("The gradients are gathered only for the optimizer step: call GatherGradients first.");

    /// <summary>
    /// Moves what backward accumulated in each parameter's (or working copy's) <c>.grad</c> into <see cref="Grad"/>,
    /// one parameter at a time, freeing each as it goes, so gathering adds one parameter's size to what backward left;
    /// a parameter that got no gradient (an expert no token chose) gathers zeros. Gathering again before
    /// <see cref="ZeroGrad"/> adds what backward accumulated since.
    /// </summary>
    public Tensor GatherGradients()
    {
        using var noGrad = no_grad();
        bool fresh = grad is null;
        grad ??= empty(Count, gradType, Data.device).DetachFromDisposeScope();
        long offset = 0;
        foreach (var leaf in Leaves())
        {
            long n = leaf.numel();
            using (NewDisposeScope())
            {
                var slot = grad.narrow(0, offset, n).view(leaf.shape);
                var g = leaf.grad;
                if (g is not null)
                {
                    if (fresh) slot.copy_(g);
                    else slot.add_(g);
                    leaf.grad = null;
                }
                else if (fresh) slot.zero_();
            }
            offset += n;
        }
        return grad;
    }

    /// <summary>Frees the gathered gradient and any the leaves still hold: the next backward starts from zero.</summary>
    public void ZeroGrad()
    {
        grad?.Dispose();
        grad = null;
        ClearLeafGradients();
    }

    IEnumerable<Tensor> Leaves() => WorkingViews ?? (IEnumerable<Tensor>)parameters;

    void ClearLeafGradients()
    {
        foreach (var leaf in Leaves())
        {
            using var g = leaf.grad;
            if (g is not null) leaf.grad = null;
        }
    }

    /// <summary>True when another buffer holds parameters of the same shapes in the same order (a replica's).</summary>
    public bool SameLayout(FlatParameters other) =>
        other.Count == Count && other.parameters.Count == parameters.Count && other.WorkingType == WorkingType &&
        parameters.Zip(other.parameters).All(pair => pair.First.shape.SequenceEqual(pair.Second.shape));

    /// <summary>Drops this object's handles; the parameters keep the storage alive through their views.</summary>
    public void Dispose()
    {
        Data.Dispose();
        grad?.Dispose();
        Work?.Dispose();
        foreach (var view in WorkingViews ?? []) view.Dispose();
    }
}
