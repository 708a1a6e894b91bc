using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniMind.Engine.Model;

/// <summary>
/// The router of MiniMind2's MoE layer (<c>MoEGate</c>): softmax scores over the routed experts,
/// top-k picks, optional renormalisation of the picked weights, and the load-balancing auxiliary
/// loss (Switch Transformer / DeepSeekMoE style) in training mode. minimind3's router (its <c>MOEFeedForward</c>'s
/// gate) differs in two rules, both from the config: it renormalises one pick too, and its aux loss is token-level.
/// </summary>
public sealed class MoEGate : nn.Module
{
    readonly MiniMindConfig config;
    readonly Parameter weight; // (n_routed_experts, dim)

    public MoEGate(MiniMindConfig config) : base(nameof(MoEGate))
    {
        this.config = config;
        weight = new Parameter(empty(config.NRoutedExperts, config.Dim));
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        register_parameter("weight", weight);
    }

    /// <summary>The working copy routing reads instead of the weight (see <see cref="Projection.Working"/>); null: the weight.</summary>
    internal Tensor? Working { get; set; }

    public Parameter Weight => weight;

    /// <summary>
    /// x (B, T, dim) -> picked experts (B*T, k) int64, their weights (B*T, k), and the aux loss
    /// (already times aux_loss_alpha; a zero scalar outside training).
    /// </summary>
    public (Tensor Experts, Tensor Weights, Tensor? AuxLoss) Route(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var logits = nn.functional.linear(x.reshape(b * t, -1), Working ?? weight);
        var scores = logits.to(ScalarType.Float32).softmax(-1); // (B*T, E), in fp32 also for a bf16 model (as autocast does)
        var (topWeights, topExperts) = scores.topk(config.NumExpertsPerTok, dim: -1, sorted: false);
        if (config.NormalizesTopK)
            topWeights = topWeights / (topWeights.sum(-1, keepdim: true) + 1e-20);
        // minimind3: (one_hot(picks).mean(0) * scores.mean(0)).sum() * E * coef, which is k times the token-level form
        double scale = config.Family == MiniMindConfig.MiniMind3 ? config.AuxLossAlpha * config.NumExpertsPerTok : config.AuxLossAlpha;
        var aux = training && config.AuxLossAlpha > 0
            ? AuxLoss(scores.view(b, t, -1), topExperts.view(b, t, -1), config.SeqAux && config.Family != MiniMindConfig.MiniMind3) * scale
            : null; // no load-balancing term outside training: nothing to add, nothing allocated
        return (topExperts.MoveToOuterDisposeScope(), topWeights.MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Load-balancing loss before alpha. scores (B, T, E), picks (B, T, k).
    /// seq_aux: per sequence ce[e] = count_e / (T * k / E); loss = mean_b sum_e ce[e] * mean_t scores[b, t, e].
    /// otherwise: fi = (share of all picks going to e) * E, Pi = mean scores over all tokens; loss = sum_e Pi * fi.
    /// </summary>
    public static Tensor AuxLoss(Tensor scores, Tensor picks, bool seqAux)
    {
        using var scope = NewDisposeScope();
        long b = scores.shape[0], t = scores.shape[1], e = scores.shape[2], k = picks.shape[2];
        Tensor loss;
        if (seqAux)
        {
            var flatPicks = picks.reshape(b, t * k);
            var ce = zeros([b, e], scores.dtype, scores.device)
                .scatter_add(1, flatPicks, ones([b, t * k], scores.dtype, scores.device))
                .div(t * k / (double)e);
            loss = (ce * scores.mean([1L])).sum(1).mean();
        }
        else
        {
            var ce = nn.functional.one_hot(picks.reshape(-1), e).to(scores.dtype).mean([0L]);
            var pi = scores.reshape(-1, e).mean([0L]);
            loss = (pi * ce * e).sum();
        }
        return loss.MoveToOuterDisposeScope();
    }
}
