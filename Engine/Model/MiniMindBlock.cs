using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MiniMind.Engine.Model;

/// <summary>
/// One pre-norm transformer layer (MiniMind2's <c>MiniMindBlock</c>):
/// h = x + attention(attention_norm(x)); out = h + feed_forward(ffn_norm(h)).
/// </summary>
public sealed class MiniMindBlock : nn.Module
{
    readonly int layer;
    // field names differ from the seed's state-dict names, so say them (TorchSharp also registers fields by name)
    [ComponentName(Name = "attention_norm")] readonly RMSNorm attentionNorm;
    [ComponentName(Name = "ffn_norm")] readonly RMSNorm ffnNorm;
    readonly Attention attention;
    // one field for either kind: TorchSharp's to(device) / to(dtype) maps fields by component name, and two
    // fields named feed_forward (one of them null) make it fail with a duplicate key
    [ComponentName(Name = "feed_forward")] readonly nn.Module feedForward;

    public MiniMindBlock(int layer, MiniMindConfig config) : base(nameof(MiniMindBlock))
    {
        this.layer = layer;
        attention = new Attention(config);
        attentionNorm = new RMSNorm(config.Dim, config.NormEps);
        ffnNorm = new RMSNorm(config.Dim, config.NormEps);
        register_module("attention", attention);
        register_module("attention_norm", attentionNorm);
        register_module("ffn_norm", ffnNorm);
        feedForward = config.UseMoe ? new MoEFeedForward(config) : new FeedForward(config);
        register_module("feed_forward", feedForward);
    }

    /// <summary>x (B, T, dim) -> (B, T, dim) and the layer's MoE aux loss (null for a dense layer).</summary>
    public (Tensor Output, Tensor? AuxLoss) Forward(Tensor x, RotaryEmbedding rope, int startPos, KVCache? cache)
    {
        // temporaries freed as they go, no dispose scope: this runs once per layer per decoded token
        Tensor h;
        using (var normed = attentionNorm.forward(x))
        using (var attended = attention.Forward(normed, rope, startPos, cache, layer))
            h = x + attended;
        using var _h = h;
        using var ffnInput = ffnNorm.forward(h);
        if (feedForward is MoEFeedForward moe)
        {
            var (y, aux) = moe.Forward(ffnInput);
            using var _y = y;
            return (h + y, aux);
        }
        using var ffnOutput = ((FeedForward)feedForward).forward(ffnInput);
        return (h + ffnOutput, null);
    }
}
