using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training.Objectives;

/// <summary>
/// The output head and the token cross-entropy in one autograd node, taken a chunk of tokens at a time:
/// <c>sum_i weights_i * CE(hidden_i W^T, target_i)</c> without the (tokens x vocab) logits ever existing whole.
/// <para>
/// Unfused, the 26M model's head at batch 32 x 511 holds a 16,352 x 6,400 logits tensor several times over:
/// the bf16 product, its fp32 copy, the log-softmax autograd keeps for backward, and that log-softmax's gradient
/// in fp32 and again in bf16, about 1.5 GB at the peak. Here each chunk's logits live only while the chunk is
/// worked: forward computes the chunk's loss and, since <paramref>weights</paramref> are known then, also its
/// gradients (softmax minus one-hot, times the weight, through the two head matmuls), the way fused
/// linear-cross-entropy kernels do. What autograd keeps is the hidden states' gradient (the size of the hidden
/// states the linear layer would have kept) and the head's (vocab x dim); backward only scales them, in place,
/// by the incoming gradient. The matmuls are the same three as unfused; no extra pass recomputes anything.
/// </para>
/// <para>
/// One instance per objective (per replica). Backward runs inside autograd's native frames (on a GPU, on its
/// device thread), where an exception would end the process: it only scales in place, catches anything that still
/// goes wrong and leaves it for <see cref="AfterBackward"/> to throw on the training thread, which also frees the
/// gradients handed back to autograd instead of leaving them to the garbage collector.
/// </para>
/// </summary>
public sealed class ChunkedHeadLoss : IDisposable
{
    /// <summary>fp32 logits elements per chunk: 2^24 (64 MiB); 2,621 tokens at a 6,400-token vocabulary.</summary>
    public const long DefaultChunkElements = 1L << 24;

    readonly long chunkElements;
    readonly List<Tensor> handedBack = [];
    readonly object gate = new();
    Exception? backwardFault;

    public ChunkedHeadLoss(long chunkElements = DefaultChunkElements)
    {
        if (chunkElements < 1) throw new ArgumentOutOfRangeException(nameof(chunkElements), "A chunk holds at least one logit.");
        this.chunkElements = chunkElements;
    }

    /// <summary>
    /// ids (B, T) through the model, then <see cref="WeightedSum"/> over its final hidden states; with
    /// <paramref name="chunked"/> false, the same sum over the head's whole logits tensor (the unfused path, kept for
    /// A/B runs and as the <c>chunked_head=false</c> option). Returns the sum and the model's aux loss.
    /// </summary>
    public (Tensor WeightedSum, Tensor? AuxLoss) Forward(MiniMindModel model, Tensor ids, Tensor targets, Tensor weights, bool chunked = true)
    {
        using var scope = NewDisposeScope();
        Tensor sum;
        Tensor? aux;
        if (chunked)
        {
            (var hidden, aux) = model.ForwardHidden(ids);
            sum = WeightedSum(model, hidden, targets, weights);
        }
        else
        {
            (var logits, aux) = model.Forward(ids);
            sum = (TokenLoss.PerTokenCrossEntropy(logits, targets) * weights).sum();
        }
        return (sum.MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// hidden (B, T, dim) from <see cref="MiniMindModel.ForwardHidden"/>, targets (B, T) int64, weights (B, T) fp32
    /// (the loss mask divided by its sum for a masked mean) -> the scalar sum of weight x cross-entropy, fp32.
    /// The weights are constants: no gradient flows to them. Falls back to the plain head and
    /// <see cref="TokenLoss.PerTokenCrossEntropy"/> while the head carries an unmerged adapter.
    /// </summary>
    public Tensor WeightedSum(MiniMindModel model, Tensor hidden, Tensor targets, Tensor weights)
    {
        if (weights.requires_grad) throw new ArgumentException("The chunked head's token weights are constants; these require a gradient.", nameof(weights));
        AfterBackward();
        using var scope = NewDisposeScope();
        if (model.OutputHead.ComputeWeight() is not { } w)
            return (TokenLoss.PerTokenCrossEntropy(model.OutputHead.forward(hidden), targets) * weights).sum().MoveToOuterDisposeScope();
        var h = hidden.reshape(-1, hidden.shape[^1]);
        if (h.dtype != w.dtype) h = h.to(w.dtype);
        var t = targets.reshape(-1);
        var wt = weights.reshape(-1).to(ScalarType.Float32);
        long rows = Math.Max(1, chunkElements / w.shape[0]);
        var needsGrad = is_grad_enabled() && (h.requires_grad || w.requires_grad);
        var loss = needsGrad
            ? HeadCrossEntropyFunction.apply(h, w, t, wt, rows, this)
            : Chunks(h, w, t, wt, rows, null, null);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>The loss over all chunks; with gradient buffers, also d loss / d hidden into <paramref name="gradHidden"/> and d loss / d W added to <paramref name="gradWeight"/> (fp32).</summary>
    static Tensor Chunks(Tensor h, Tensor w, Tensor t, Tensor wt, long rows, Tensor? gradHidden, Tensor? gradWeight)
    {
        var total = zeros([], ScalarType.Float32, h.device);
        long n = h.shape[0];
        for (long start = 0; start < n; start += rows)
        {
            using var scope = NewDisposeScope();
            long len = Math.Min(rows, n - start);
            var hc = h.narrow(0, start, len);
            var tc = t.narrow(0, start, len).unsqueeze(1);
            var wc = wt.narrow(0, start, len);
            var logits = hc.mm(w.t()).to(ScalarType.Float32); // (len, vocab)
            var lse = logits.logsumexp(1);
            var ce = lse - logits.gather(1, tc).squeeze(1);
            total.add_((ce * wc).sum());
            if (gradHidden is null && gradWeight is null) continue;
            // d(w_i ce_i)/d logits_i = w_i (softmax_i - onehot(target_i)), in place over the chunk's logits
            var g = logits.sub_(lse.unsqueeze(1)).exp_();
            g.scatter_add_(1, tc, full([len, 1], -1f, ScalarType.Float32, h.device));
            g.mul_(wc.unsqueeze(1));
            var gc = g.to(h.dtype);
            gradHidden?.narrow(0, start, len).copy_(gc.mm(w));
            gradWeight?.add_(gc.t().mm(hc));
        }
        return total;
    }

    void HandBack(IEnumerable<Tensor> tensors, Exception? fault = null)
    {
        lock (gate)
        {
            handedBack.AddRange(tensors);
            backwardFault ??= fault;
        }
    }

    /// <summary>After the backward of the last <see cref="WeightedSum"/>: frees the gradients it handed to autograd, and throws what failed in it.</summary>
    public void AfterBackward()
    {
        Exception? fault;
        lock (gate)
        {
            foreach (var t in handedBack) t.Dispose();
            handedBack.Clear();
            (fault, backwardFault) = (backwardFault, null);
        }
        if (fault is not null) throw new InvalidOperationException($"The chunked head's backward failed: {fault.Message}", fault);
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var t in handedBack) t.Dispose();
            handedBack.Clear();
        }
    }

    /// <summary>
    /// The autograd node: forward computes the loss and both gradients (the weights are inputs, so they are known);
    /// backward scales the saved gradients by the incoming one (1 / accumulation steps, or a replica's share).
    /// </summary>
    sealed class HeadCrossEntropyFunction : autograd.SingleTensorFunction<HeadCrossEntropyFunction>
    {
        public override string Name => nameof(HeadCrossEntropyFunction);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (h, w, t, wt, rows, owner) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (long)vars[4], (ChunkedHeadLoss)vars[5]);
            var gradHidden = h.requires_grad ? empty_like(h) : null;
            var gradWeight = w.requires_grad ? zeros(w.shape, ScalarType.Float32, w.device) : null;
            var loss = Chunks(h, w, t, wt, rows, gradHidden, gradWeight);
            ctx.save_for_backward([gradHidden!, (gradWeight is null || gradWeight.dtype == w.dtype ? gradWeight : gradWeight.to(w.dtype))!]);
            ctx.save_data("owner", owner);
            return loss;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            // scaled in place: the trainer never retains the graph, so these gradients are read by this one backward
            // (a second one would find the saved tensors' versions changed: it is caught below like any other fault)
            var owner = (ChunkedHeadLoss)ctx.get_data("owner");
            List<Tensor> saved = [];
            try
            {
                saved = ctx.get_saved_variables();
                foreach (var g in saved) g?.mul_(gradOutput);
                owner.HandBack(saved.OfType<Tensor>());
                return [saved[0], saved[1], null!, null!, null!, null!];
            }
            catch (Exception e)
            {
                owner.HandBack(saved.OfType<Tensor>(), e);
                return [null!, null!, null!, null!, null!, null!];
            }
        }
    }
}
