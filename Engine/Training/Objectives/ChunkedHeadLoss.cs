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
/// One instance per objective (per replica): the gradients handed back to autograd are released at the next
/// call, once autograd has taken them, instead of waiting for the garbage collector on a GPU's backward thread.
/// </para>
/// </summary>
public sealed class ChunkedHeadLoss : IDisposable
{
    /// <summary>fp32 logits elements per chunk: 2^24 (64 MiB); 2,621 tokens at a 6,400-token vocabulary.</summary>
    public const long DefaultChunkElements = 1L << 24;

    readonly long chunkElements;
    readonly List<Tensor> handedBack = [];
    readonly object gate = new();

    public ChunkedHeadLoss(long chunkElements = DefaultChunkElements)
    {
        if (chunkElements < 1) throw new ArgumentOutOfRangeException(nameof(chunkElements), "A chunk holds at least one logit.");
        this.chunkElements = chunkElements;
    }

    /// <summary>
    /// hidden (B, T, dim) from <see cref="MiniMindModel.ForwardHidden"/>, targets (B, T) int64, weights (B, T) fp32
    /// (the loss mask divided by its sum for a masked mean) -> the scalar sum of weight x cross-entropy, fp32.
    /// Falls back to the plain head and <see cref="TokenLoss.PerTokenCrossEntropy"/> while the head carries an unmerged adapter.
    /// </summary>
    public Tensor WeightedSum(MiniMindModel model, Tensor hidden, Tensor targets, Tensor weights)
    {
        Release();
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

    void HandBack(IEnumerable<Tensor> tensors)
    {
        lock (gate) handedBack.AddRange(tensors);
    }

    void Release()
    {
        lock (gate)
        {
            foreach (var t in handedBack) t.Dispose();
            handedBack.Clear();
        }
    }

    public void Dispose() => Release();

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
            // scaled in place: the graph is freed after this one backward (training never retains it), and a second
            // backward would fail loudly on the saved tensors' version counters rather than reuse scaled gradients
            var saved = ctx.get_saved_variables();
            foreach (var g in saved) g?.mul_(gradOutput);
            ((ChunkedHeadLoss)ctx.get_data("owner")).HandBack(saved.OfType<Tensor>());
            return [saved[0], saved[1], null!, null!, null!, null!];
        }
    }
}
