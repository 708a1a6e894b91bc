using MiniMind.Engine.Runtime;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training.Objectives;

/// <summary>
/// The GRPO loss (Shao et al. 2024, "DeepSeekMath"), as MiniMind's newest <c>trainer/train_grpo.py</c> computes it with
/// <c>loss_type=grpo</c>: per completion token, <c>-(min(ratio·A, clip(ratio, 1-eps, 1+eps)·A) - beta·KL)</c> with
/// <c>ratio = exp(logp - old_logp)</c>, A the completion's group-normalised advantage and KL the k3 estimator
/// <c>exp(ref - logp) - (ref - logp) - 1</c> against the frozen reference; averaged over each completion's tokens, then over
/// completions.
/// </summary>
public static class GrpoLoss
{
    /// <summary>What one loss computation measured, as device scalars (the caller owns them).</summary>
    public sealed record Figures(Tensor Kl, Tensor ClipFraction) : IDisposable
    {
        public void Dispose()
        {
            Kl.Dispose();
            ClipFraction.Dispose();
        }
    }

    /// <summary>
    /// logp, oldLogp, referenceLogp and mask (R, T) over target positions (mask 1 at completion tokens), advantages (R).
    /// Returns the loss, the mean per-token KL, and the share of completion tokens whose ratio was clipped on the side that
    /// stops the gradient (PPO's clip fraction).
    /// </summary>
    public static (Tensor Loss, Figures Figures) Compute(Tensor logp, Tensor oldLogp, Tensor referenceLogp, Tensor advantages, Tensor mask,
        double clipEps, double beta)
    {
        using var scope = NewDisposeScope();
        var a = advantages.unsqueeze(1);
        var ratio = (logp - oldLogp).exp();
        var clipped = ratio.clamp(1 - clipEps, 1 + clipEps);
        var policy = minimum(ratio * a, clipped * a);
        var d = referenceLogp - logp;
        var kl = d.exp() - d - 1;
        var perToken = -(policy - beta * kl);
        var tokens = mask.sum(1).clamp_min(KeptScalars.OneFloat);
        var loss = ((perToken * mask).sum(1) / tokens).mean();
        using var noGradient = no_grad();
        var allTokens = mask.sum().clamp_min(KeptScalars.OneFloat);
        var meanKl = (kl.detach() * mask).sum() / allTokens;
        var cut = ((ratio.detach() > 1 + clipEps) & (a > 0)) | ((ratio.detach() < 1 - clipEps) & (a < 0));
        var clipFraction = (cut.to(ScalarType.Float32) * mask).sum() / allTokens;
        return (loss.MoveToOuterDisposeScope(), new Figures(meanKl.MoveToOuterDisposeScope(), clipFraction.MoveToOuterDisposeScope()));
    }

    /// <summary>Whether the group of <paramref name="groupSize"/> rewards from <paramref name="start"/> are all equal: it gives no policy gradient.</summary>
    public static bool IsFlat(IReadOnlyList<double> rewards, int start, int groupSize)
    {
        for (var i = start + 1; i < start + groupSize; i++)
            if (rewards[i] != rewards[start]) return false;
        return true;
    }

    /// <summary>
    /// Group-normalised advantages: (r - group mean) / (group std + 1e-4), the population std, as MiniMind's script; exactly 0
    /// for a group whose rewards are all equal (no rounding left over from the mean).
    /// </summary>
    public static double[] Advantages(IReadOnlyList<double> rewards, int groupSize)
    {
        if (groupSize <= 0 || rewards.Count % groupSize != 0)
            throw new ArgumentException($"{rewards.Count} rewards do not make groups of {groupSize}.");
        var advantages = new double[rewards.Count];
        for (var g = 0; g < rewards.Count; g += groupSize)
        {
            if (IsFlat(rewards, g, groupSize)) continue; // no signal: advantages stay 0
            var mean = 0.0;
            for (var i = g; i < g + groupSize; i++) mean += rewards[i];
            mean /= groupSize;
            var variance = 0.0;
            for (var i = g; i < g + groupSize; i++) variance += (rewards[i] - mean) * (rewards[i] - mean);
            var std = Math.Sqrt(variance / groupSize);
            for (var i = g; i < g + groupSize; i++) advantages[i] = (rewards[i] - mean) / (std + 1e-4);
        }
        return advantages;
    }
}
