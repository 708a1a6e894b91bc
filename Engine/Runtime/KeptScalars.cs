using TorchSharp;

namespace MiniMind.Engine.Runtime;

/// <summary>
/// Scalar arguments that live for the whole process. A <see cref="Scalar"/> made by an implicit conversion at a call
/// site (<c>t.clamp_min(1.0)</c>) is never disposed and holds nothing but its native handle: once the handle is read,
/// the garbage collector may finalize it while libtorch still reads it, and the call fails at random
/// ("Expected false to be true" from Scalar::toFloat; seen once in a pretraining run's 94th step). These never are.
/// </summary>
public static class KeptScalars
{
    public static readonly Scalar OneFloat = 1.0.ToScalar();
    public static readonly Scalar ZeroLong = 0L.ToScalar();
    /// <summary>The exponent of a square: TorchSharp's <c>square()</c> is <c>pow(2)</c> with an implicit Scalar, which failed so
    /// in RMSNorm while two models generated at once (Compare).</summary>
    public static readonly Scalar Two = 2.ToScalar();
}
