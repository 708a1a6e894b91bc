using MiniMind.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MiniMind.Engine.Training.Objectives;

/// <summary>Shared token-level pieces: per-token cross-entropy and per-token target log-probabilities, in fp32.</summary>
public static class TokenLoss
{
    /// <summary>logits (B, T, V), targets (B, T) -> cross-entropy per token (B, T).</summary>
    public static Tensor PerTokenCrossEntropy(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        long b = logits.shape[0], t = logits.shape[1];
        var ce = F.cross_entropy(logits.to(ScalarType.Float32).reshape(b * t, -1), targets.reshape(-1), reduction: nn.Reduction.None);
        return ce.view(b, t).MoveToOuterDisposeScope();
    }

    /// <summary>sum(ce * weights) / denominator: the seed's masked mean when weights = mask and denominator = sum(mask).</summary>
    public static Tensor MaskedMean(Tensor perToken, Tensor weights, Tensor denominator) =>
        (perToken * weights).sum() / denominator.clamp_min(KeptScalars.OneFloat);

    /// <summary>logits (B, T, V), targets (B, T) -> log p(target) per token (B, T).</summary>
    public static Tensor TargetLogProbs(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var logp = logits.to(ScalarType.Float32).log_softmax(-1);
        return logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1).MoveToOuterDisposeScope();
    }
}
