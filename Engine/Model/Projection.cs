using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MiniMind.Engine.Model;

/// <summary>
/// A bias-free linear projection <c>y = x W^T</c> (PyTorch's <c>nn.Linear(bias=False)</c>, same default
/// initialisation), with two things nn.Linear lacks: an optional low-rank adapter (LoRA, Hu et al. 2021)
/// added to its output, and a compute dtype (e.g. bf16) that the weight and input are cast to while the
/// weight itself stays fp32: TorchSharp has no autocast. Registered as <c>weight</c> (and <c>lora.A</c>,
/// <c>lora.B</c>, as the seed's model_lora.py names them).
/// </summary>
public sealed class Projection : nn.Module<Tensor, Tensor>
{
    Parameter weight; // (out, in)
    LoRA? lora;

    public Projection(int inFeatures, int outFeatures) : base(nameof(Projection))
    {
        weight = new Parameter(empty(outFeatures, inFeatures));
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5)); // nn.Linear's default
        register_parameter("weight", weight);
    }

    public Parameter Weight => weight;

    /// <summary>Holds <paramref name="tiedWeight"/> again (the output head shares the embedding's; see MiniMindModel's moves).</summary>
    internal void Tie(Parameter tiedWeight)
    {
        weight = tiedWeight;
        ConditionallyRegisterParameter("weight", weight);
    }
    public int InFeatures => (int)weight.shape[1];
    public int OutFeatures => (int)weight.shape[0];

    /// <summary>The dtype of the matrix multiply; null computes in the weight's own dtype.</summary>
    public ScalarType? ComputeType { get; set; }

    public LoRA? Adapter => lora;

    /// <summary>True while the adapter's delta is folded into the weight (forward then skips the adapter).</summary>
    public bool AdapterMerged { get; private set; }

    /// <summary>W += scale * B A: the adapted model as one plain matrix (reversible with <see cref="UnmergeAdapter"/>, up to rounding).</summary>
    public void MergeAdapter()
    {
        if (lora is null || AdapterMerged) return;
        using (no_grad()) using (NewDisposeScope()) weight.add_(lora.Delta().to(weight.dtype)); // the delta and its cast freed here
        AdapterMerged = true;
    }

    public void UnmergeAdapter()
    {
        if (lora is null || !AdapterMerged) return;
        using (no_grad()) using (NewDisposeScope()) weight.sub_(lora.Delta().to(weight.dtype));
        AdapterMerged = false;
    }

    /// <summary>
    /// A bf16 working copy of the weight that forward uses instead of it (bf16-pure training: the optimizer keeps
    /// the fp32 weight as the master and refreshes the copy after each step); null: the weight itself.
    /// </summary>
    internal Tensor? Working { get; set; }

    /// <summary>
    /// The matrix forward multiplies by, in the dtype it multiplies in (a cast of the weight, or of its working copy,
    /// when those differ; the weight itself otherwise); null while an unmerged adapter adds its own term to the product.
    /// </summary>
    internal Tensor? ComputeWeight() => lora is not null && !AdapterMerged ? null : CastWeight(Working ?? weight);

    Tensor CastWeight(Tensor source) => ComputeType is { } ct && ct != source.dtype ? source.to(ct) : source;

    public override Tensor forward(Tensor x)
    {
        var source = Working ?? weight;
        // the common case (no adapter to add, no cast): one native call, no dispose scope to open and close
        if ((ComputeType is null || ComputeType == source.dtype) && (lora is null || AdapterMerged) && x.dtype == source.dtype) return F.linear(x, source);
        using var scope = NewDisposeScope();
        var w = CastWeight(source);
        var y = F.linear(x.dtype == w.dtype ? x : x.to(w.dtype), w);
        if (lora is not null && !AdapterMerged) y = y + lora.forward(x).to(y.dtype);
        return y.MoveToOuterDisposeScope();
    }

    public LoRA AttachAdapter(int rank, double alpha, double dropout)
    {
        if (lora is not null) throw new InvalidOperationException("This projection already has a LoRA adapter.");
        lora = new LoRA(InFeatures, OutFeatures, rank, alpha, dropout);
        lora.to(weight.device);
        register_module("lora", lora);
        return lora;
    }

    /// <summary>Removes the adapter (after a merge, or to return to the base model).</summary>
    public void DetachAdapter()
    {
        if (lora is null) return;
        if (AdapterMerged) throw new InvalidOperationException("Unmerge the adapter before detaching it, or the weight keeps its delta.");
        _internal_submodules.Remove("lora");
        lora.Dispose();
        lora = null;
    }
}
