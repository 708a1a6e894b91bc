using MiniMind.Engine.IO;
using MiniMind.Engine.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) with the gradient-norm clip folded in, over a <see cref="FlatParameters"/>
/// buffer: the arithmetic of PyTorch's <c>clip_grad_norm_</c> followed by its single-tensor <c>AdamW</c>
/// (decoupled weight decay, bias-corrected moments), but as about thirty operations on three flat tensors
/// instead of a dozen per parameter.
/// <para>
/// A step never reads anything back to the host, so a GPU can run several steps ahead of the loop: the
/// pre-clip gradient norm comes back as a device scalar, and a non-finite loss or norm turns that step, and
/// every later one until <see cref="Load"/>, into a no-op on the device (weights and moments keep their last
/// good values). The loop finds the bad step in the losses and norms it reads back every few steps, and stops
/// the run there.
/// </para>
/// </summary>
public sealed class FusedAdamW : IDisposable
{
    const string ExpAvgName = "exp_avg", ExpAvgSqName = "exp_avg_sq", StepName = "step";

    readonly FlatParameters flat;
    readonly double beta1, beta2, eps, weightDecay;
    readonly long chunkElements;
    /// <summary>Elements updated per chunk by default: 4M (16 MB of scratch), a handful of chunks for a 26M model.</summary>
    public const long DefaultChunkElements = 1L << 22;

    readonly Tensor expAvg, expAvgSq; // fp32, one element per parameter element
    readonly Tensor scratch;          // fp32, one chunk
    readonly Tensor halted;           // bool scalar: a non-finite step was seen (and skipped)

    public FusedAdamW(FlatParameters flat, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01, long chunkElements = DefaultChunkElements)
    {
        if (flat.Data.dtype != ScalarType.Float32)
            throw new ArgumentException($"FusedAdamW updates fp32 weights; these are {flat.Data.dtype}.");
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkElements, 1);
        this.flat = flat;
        this.chunkElements = chunkElements;
        (this.beta1, this.beta2, this.eps, this.weightDecay) = (beta1, beta2, eps, weightDecay);
        var device = flat.Data.device;
        expAvg = zeros(flat.Count, ScalarType.Float32, device).DetachFromDisposeScope();
        expAvgSq = zeros(flat.Count, ScalarType.Float32, device).DetachFromDisposeScope();
        scratch = empty(Math.Min(flat.Count, chunkElements), ScalarType.Float32, device).DetachFromDisposeScope();
        halted = zeros([], ScalarType.Bool, device).DetachFromDisposeScope();
    }

    /// <summary>Optimizer steps taken (the bias-correction count).</summary>
    public long Steps { get; private set; }

    /// <summary>
    /// Clips the gradient to <paramref name="maxNorm"/> and takes one AdamW step at learning rate
    /// <paramref name="lr"/>, unless <paramref name="loss"/> or the gradient norm is not finite (or an earlier
    /// step was not). Returns the pre-clip gradient norm as a device scalar (the caller disposes it).
    /// Leaves the gradient buffer clipped (fp32 gradients); zero it before the next accumulation. Refreshes the
    /// working copies of bf16-pure training from the updated fp32 weights.
    /// </summary>
    public Tensor Step(double lr, double maxNorm, Tensor loss)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Steps++;
        var gathered = flat.GatherGradients();
        var grad = gathered.dtype == ScalarType.Float32 ? gathered : gathered.to(ScalarType.Float32); // bf16-pure: bf16 gradients
        var norm = Norm(grad);
        var ok = norm.isfinite().logical_and_(loss.detach().to(norm.device).isfinite()).logical_and_(halted.logical_not());
        halted.logical_or_(ok.logical_not());
        var okf = ok.to(ScalarType.Float32);

        // clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1. A skipped step scales by 0,
        // and nan_to_num_ turns what a non-finite gradient leaves (nan, inf * 0) into 0 as well.
        var coef = (maxNorm / (norm + 1e-6)).clamp_max(KeptScalars.OneFloat) * okf;
        grad.mul_(coef).nan_to_num_(0.0, 0.0, 0.0);

        // AdamW with each decay factor blended towards 1 by a skipped step, so a skipped step changes nothing
        var weights = flat.Data;
        if (weightDecay != 0) weights.mul_(1.0 - okf * (lr * weightDecay));
        expAvg.mul_(1.0 - okf * (1.0 - beta1)).add_(grad, 1.0 - beta1);
        expAvgSq.mul_(1.0 - okf * (1.0 - beta2)).addcmul_(grad, grad, 1.0 - beta2);
        double correction1 = 1 - Math.Pow(beta1, Steps), correction2 = 1 - Math.Pow(beta2, Steps);
        // weights -= lr / correction1 * exp_avg / (sqrt(exp_avg_sq) / sqrt(correction2) + eps), a chunk at a time through
        // one chunk of scratch (a whole-size scratch would add a fourth parameter-sized buffer to the run's peak)
        var stepSize = okf * (lr / correction1);
        double rootCorrection2 = Math.Sqrt(correction2);
        for (long offset = 0; offset < flat.Count; offset += chunkElements)
        {
            long n = Math.Min(chunkElements, flat.Count - offset);
            using var s = scratch.narrow(0, 0, n);
            using var v = expAvgSq.narrow(0, offset, n);
            using var m = expAvg.narrow(0, offset, n);
            using var w = weights.narrow(0, offset, n);
            s.copy_(v).sqrt_().div_(rootCorrection2).add_(eps).reciprocal_().mul_(m);
            w.sub_(s.mul_(stepSize));
        }
        flat.RefreshWork();
        return norm.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The L2 norm of the flat gradient, its squares summed in float64 a chunk at a time. libtorch's fp32 <c>norm</c> over
    /// one long vector accumulates in fp32 on the CPU: over the 64M gradients of a minimind3 model it came out 1% low
    /// (51.51 against 52.04, measured), which would clip every step by the wrong factor.
    /// </summary>
    Tensor Norm(Tensor grad)
    {
        var sumOfSquares = zeros([], ScalarType.Float64, grad.device);
        for (long offset = 0; offset < flat.Count; offset += chunkElements)
        {
            long n = Math.Min(chunkElements, flat.Count - offset);
            using var s = scratch.narrow(0, 0, n);
            using var g = grad.narrow(0, offset, n);
            s.copy_(g).mul_(g);
            using var partial = s.sum(ScalarType.Float64);
            sumOfSquares.add_(partial);
        }
        return sumOfSquares.sqrt_().to(ScalarType.Float32);
    }

    /// <summary>True once a step met a non-finite loss or gradient (reading it waits for the device; the loop needs it not, tests and diagnostics do).</summary>
    public bool Halted
    {
        get
        {
            using var host = halted.cpu();
            return host.item<bool>();
        }
    }

    /// <summary>Writes the moments and the step count (safetensors: exp_avg, exp_avg_sq flat fp32; step int64).</summary>
    public void Save(string path)
    {
        using var scope = NewDisposeScope();
        SafetensorsFile.Write(path,
        [
            new(ExpAvgName, expAvg.cpu().contiguous()),
            new(ExpAvgSqName, expAvgSq.cpu().contiguous()),
            new(StepName, tensor(new[] { Steps })),
        ]);
    }

    /// <summary>Reads what <see cref="Save"/> wrote, checking it belongs to parameters of this size.</summary>
    public void Load(string path)
    {
        var state = SafetensorsFile.Read(path);
        try
        {
            foreach (var name in new[] { ExpAvgName, ExpAvgSqName, StepName })
                if (!state.ContainsKey(name)) throw new InvalidDataException($"{path}: optimizer state lacks {name}.");
            if (state[ExpAvgName].numel() != flat.Count || state[ExpAvgSqName].numel() != flat.Count)
                throw new InvalidDataException($"{path}: optimizer state holds {state[ExpAvgName].numel()} moments for {flat.Count} trainable values: it was saved by a different model setup.");
            using (no_grad())
            {
                expAvg.copy_(state[ExpAvgName]);
                expAvgSq.copy_(state[ExpAvgSqName]);
                halted.fill_(false);
            }
            Steps = state[StepName].item<long>();
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Reads the optimizer file of runs saved before this optimizer existed (TorchSharp's AdamW state, one
    /// entry per parameter in the same order), so a run paused with an earlier build still resumes.
    /// </summary>
    public void LoadTorchSharpAdamW(string path)
    {
        using var legacy = optim.AdamW(flat.Parameters, 1e-3, beta1, beta2, eps, weightDecay);
        legacy.load_state_dict(path);
        var states = legacy.state_dict().State.OfType<AdamW.State>().ToList();
        if (states.Count != flat.Parameters.Count)
            throw new InvalidDataException($"{path}: optimizer state has {states.Count} parameters; this run trains {flat.Parameters.Count}.");
        using var noGrad = no_grad();
        long offset = 0;
        for (int i = 0; i < states.Count; i++)
        {
            long n = flat.Parameters[i].numel();
            if (states[i].exp_avg.numel() != n)
                throw new InvalidDataException($"{path}: optimizer state of parameter {i} holds {states[i].exp_avg.numel()} values; the parameter has {n}.");
            using (NewDisposeScope())
            {
                expAvg.narrow(0, offset, n).copy_(states[i].exp_avg.reshape(-1));
                expAvgSq.narrow(0, offset, n).copy_(states[i].exp_avg_sq.reshape(-1));
            }
            offset += n;
        }
        Steps = states.Count > 0 ? states[0].step : 0;
        halted.fill_(false);
    }

    public void Dispose()
    {
        expAvg.Dispose();
        expAvgSq.Dispose();
        scratch.Dispose();
        halted.Dispose();
    }
}
