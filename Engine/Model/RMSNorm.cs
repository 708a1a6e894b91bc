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
    readonly double eps;
    readonly Parameter weight;

    public RMSNorm(int dim, double eps) : base(nameof(RMSNorm))
    {
        this.eps = eps;
        weight = new Parameter(ones(dim));
        register_parameter("weight", weight);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var xf = x.to(ScalarType.Float32);
        var normed = xf * rsqrt(xf.square().mean([-1L], keepdim: true) + eps);
        return (weight * normed.to(x.dtype)).MoveToOuterDisposeScope();
    }
}
