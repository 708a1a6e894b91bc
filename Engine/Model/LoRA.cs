using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MiniMind.Engine.Model;

/// <summary>
/// A low-rank adapter (Hu et al. 2021, LoRA): <c>delta(x) = (alpha / r) * B(A(dropout(x)))</c>, A (r, in)
/// drawn from N(0, 0.02) and B (out, r) zero, so a fresh adapter leaves the model unchanged. With
/// alpha = r it is exactly the seed's model_lora.py <c>LoRA</c> (which has no scaling).
/// </summary>
public sealed class LoRA : nn.Module<Tensor, Tensor>
{
    readonly Projection A, B;
    readonly double dropout;

    public LoRA(int inFeatures, int outFeatures, int rank, double alpha, double dropout) : base(nameof(LoRA))
    {
        if (rank <= 0) throw new ArgumentException($"LoRA rank must be positive; got {rank}.");
        if (alpha <= 0) throw new ArgumentException($"LoRA alpha must be positive; got {alpha}.");
        if (dropout is < 0 or >= 1) throw new ArgumentException($"LoRA dropout must be in [0, 1); got {dropout}.");
        Rank = rank;
        Scale = alpha / rank;
        this.dropout = dropout;
        A = new Projection(inFeatures, rank);
        B = new Projection(rank, outFeatures);
        using (no_grad())
        {
            A.Weight.normal_(0.0, 0.02);
            B.Weight.zero_();
        }
        register_module("A", A);
        register_module("B", B);
    }

    public int Rank { get; }
    public double Scale { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        if (dropout > 0 && training) x = F.dropout(x, dropout, training);
        var y = B.forward(A.forward(x.to(A.Weight.dtype)));
        return (Scale == 1.0 ? y : y * Scale).MoveToOuterDisposeScope();
    }

    /// <summary>The adapter's weight delta (out, in): Scale * B A.</summary>
    public Tensor Delta() => B.Weight.matmul(A.Weight) * Scale;
}
