using MiniMind.Engine.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniMind.Engine.Model;

/// <summary>
/// Root-mean-square layer norm (Zhang &amp; Sennrich 2019), as MiniMind's <c>RMSNorm</c>:
/// <c>w * (x.float() * rsqrt(mean(x^2) + eps)).type_as(x)</c>: the statistics always in fp32.
/// </summary>
public sealed class RMSNorm : nn.Module<Tensor, Tensor>
{
    static readonly long[] LastDim = [-1L];
    readonly Scalar epsScalar; // made once: an operator with a double makes (and frees) a native Scalar per call
    readonly Parameter weight;

    public RMSNorm(int dim, double eps) : base(nameof(RMSNorm))
    {
        epsScalar = eps.ToScalar();
        weight = new Parameter(ones(dim));
        register_parameter("weight", weight);
    }

    /// <summary>The working copy forward reads instead of the weight (see <see cref="Projection.Working"/>); null: the weight.</summary>
    internal Tensor? Working { get; set; }

    public Parameter Weight => weight;

    public override Tensor forward(Tensor x)
    {
        var weight = Working ?? this.weight;
        if (x.dtype == ScalarType.Float32)
        {
            // an fp32 residual stream (training, and models served in fp32; bf16-served models take the path below):
            // the same arithmetic in the same order, without the two casts
            // (each a native call) and without a dispose scope (each temporary is freed here as it goes);
            // this runs twice per layer per decoded token, where the host's per-op cost is the bound
            using var square = x.pow(KeptScalars.Two); // square(): pow(2) with an implicit Scalar the GC may finalize mid-call
            using var scale = square.mean(LastDim, keepdim: true);
            scale.add_(epsScalar).rsqrt_(); // in place: these return the same tensor, no new handle
            using var normed = x * scale;
            return weight * normed;
        }
        // bf16 (the residual stream of bf16-served models, the GPU's decoding path): statistics in fp32, as the seed's
        // x.float(); temporaries freed as they go
        using var xf = x.to(ScalarType.Float32);
        using var squareF = xf.pow(KeptScalars.Two);
        using var scaleF = squareF.mean(LastDim, keepdim: true);
        scaleF.add_(epsScalar).rsqrt_();
        using var normedF = xf * scaleF;
        using var normedLow = normedF.to(x.dtype);
        return weight * normedLow;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) epsScalar.Dispose();
        base.Dispose(disposing);
    }
}
