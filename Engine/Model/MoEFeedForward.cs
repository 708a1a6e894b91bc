using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MiniMind.Engine.Model;

/// <summary>
/// Mixture-of-experts feed-forward (MiniMind2's <c>MOEFeedForward</c>): each token goes to its top-k
/// routed experts, weighted by the gate, plus one shared expert for every token. Tokens are grouped
/// by expert (one sort) so each expert runs once on a contiguous batch. Training and inference take
/// the same path in the same precision (the seed's float16 training buffer is not copied).
/// </summary>
public sealed class MoEFeedForward : nn.Module
{
    readonly int topK;
    readonly MoEGate gate;
    readonly ModuleList<FeedForward> experts;
    [ComponentName(Name = "shared_experts")] readonly FeedForward? sharedExperts;

    public MoEFeedForward(MiniMindConfig config) : base(nameof(MoEFeedForward))
    {
        topK = config.NumExpertsPerTok;
        experts = new ModuleList<FeedForward>(
            Enumerable.Range(0, config.NRoutedExperts).Select(_ => new FeedForward(config)).ToArray());
        gate = new MoEGate(config);
        register_module("experts", experts);
        register_module("gate", gate);
        if (config.NSharedExperts)
        {
            sharedExperts = new FeedForward(config);
            register_module("shared_experts", sharedExperts);
        }
    }

    /// <summary>x (B, T, dim) -> (B, T, dim) and this layer's aux loss (null outside training).</summary>
    public (Tensor Output, Tensor? AuxLoss) Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long d = x.shape[2];
        var (picks, weights, aux) = gate.Route(x);
        var tokens = x.reshape(-1, d);                              // (N, dim)
        var flatPicks = picks.reshape(-1);                          // (N*k): slot s belongs to token s / k
        var order = flatPicks.sort(stable: true).Indices;            // slots grouped by expert
        var tokenOfSlot = order.div(topK, rounding_mode: RoundingMode.floor);   // the token each sorted slot belongs to
        var counts = flatPicks.bincount(null, experts.Count).to(CPU).data<long>().ToArray(); // one host sync per layer
        var outputs = new List<Tensor>(experts.Count);
        long offset = 0;
        for (int e = 0; e < experts.Count; e++)
        {
            if (counts[e] == 0) continue;
            outputs.Add(experts[e].forward(tokens.index_select(0, tokenOfSlot.narrow(0, offset, counts[e]))));
            offset += counts[e];
        }
        var sortedWeights = weights.reshape(-1).index_select(0, order).unsqueeze(1).to(x.dtype);
        var routed = zeros_like(tokens).index_add(0, tokenOfSlot, cat(outputs, 0) * sortedWeights, 1);
        var y = routed.view(x.shape);
        if (sharedExperts is not null)
            y = y + sharedExperts.forward(x);
        return (y.MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope());
    }
}
