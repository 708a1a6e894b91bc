namespace MiniMind.Engine.Tests;

/// <summary>
/// Numeric bounds derived from the precision and the size of a computation, never from what one CPU happened to give:
/// libtorch picks its kernels by CPU (<c>ATEN_CPU_CAPABILITY=default|avx2|avx512</c> forces the choice), and kernels of
/// different widths sum in different orders, so two paths that are equal in exact arithmetic differ by rounding that
/// changes from one CPU to the next. Each bound is a multiple of a format's unit roundoff <c>u</c> (half the gap between
/// 1 and the next number): one rounding of a value <c>x</c> moves it by at most <c>u·|x|</c>, and a sum of <c>n</c>
/// terms by at most about <c>n·u·Σ|terms|</c> (Higham, Accuracy and Stability of Numerical Algorithms, 3.1).
/// <see cref="CpuCapabilityTests"/> runs the numeric test classes under every capability this CPU offers below its own.
/// </summary>
public static class Tolerance
{
    /// <summary>fp32's unit roundoff, 2^-24 (24-bit significand).</summary>
    public const double Fp32 = 1.0 / (1 << 24);

    /// <summary>bf16's unit roundoff, 2^-8 (8-bit significand: 7 stored bits and the implied one). 4.355 is known to about 0.017.</summary>
    public const double Bf16 = 1.0 / (1 << 8);

    /// <summary>fp16's unit roundoff, 2^-11.</summary>
    public const double Fp16 = 1.0 / (1 << 11);

    /// <summary>
    /// Logits of the reference fixtures (fp32, |logit| up to about 4, dim 64, 2 layers): each matmul of n = dim terms
    /// rounds by at most about n·u·|x| = 64 · 6e-8 · 4 ≈ 1.5e-5, and about five of them stand between the ids and a logit,
    /// so 1e-4 holds on any summation order (it is also the parity target set against the original code).
    /// </summary>
    public const double Fp32Logits = 1e-4;

    /// <summary>
    /// How far apart two AdamW runs whose gradients differ only by rounding can end, per weight: an update moves a weight
    /// by lr·|m̂|/(√v̂+ε), and |m̂|/√v̂ stays about 1 or below in the first steps (Cauchy-Schwarz on the moment sums,
    /// 1.01 at step 4 with betas 0.9/0.999), so in the worst case the two runs step opposite ways every time:
    /// 2 · (largest lr of the schedule) · steps. Sign flips of near-zero gradients make this reachable, not a loose guess.
    /// </summary>
    public static double AdamWDrift(double peakLearningRate, int optimizerSteps) => 2 * 1.01 * peakLearningRate * optimizerSteps;
}
