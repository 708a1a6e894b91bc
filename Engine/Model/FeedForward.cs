using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MiniMind.Engine.Model;

/// <summary>SwiGLU feed-forward (Shazeer 2020): <c>w2(silu(w1 x) * w3 x)</c>, as MiniMind2's <c>FeedForward</c>.</summary>
public sealed class FeedForward : nn.Module<Tensor, Tensor>
{
    readonly double dropout;
    readonly Projection w1, w2, w3;

    public FeedForward(MiniMindConfig config) : base(nameof(FeedForward))
    {
        int hidden = config.FfnHiddenDim;
        dropout = config.Dropout;
        w1 = new Projection(config.Dim, hidden);
        w2 = new Projection(hidden, config.Dim);
        w3 = new Projection(config.Dim, hidden);
        register_module("w1", w1);
        register_module("w2", w2);
        register_module("w3", w3);
    }

    public override Tensor forward(Tensor x)
    {
        // temporaries freed as they go rather than through a dispose scope (host time per decoded token);
        // the gate is not activated in place: autograd needs w1's output for silu's backward
        using var gate = w1.forward(x);
        using var activated = F.silu(gate);
        using var up = w3.forward(x);
        using var product = activated * up;
        var y = w2.forward(product);
        if (dropout > 0 && training)
        {
            using var undropped = y;
            y = F.dropout(undropped, dropout, training);
        }
        return y;
    }
}
