using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MiniMind.Engine.Model;

/// <summary>
/// The MiniMind2 language model (seed: model/model.py, <c>MiniMindLM</c>, February 2025): tied
/// token embedding, n_layers pre-norm blocks, final RMSNorm, output projection. Registered under
/// the seed's state-dict names so its checkpoints load as they are.
/// </summary>
public sealed class MiniMindModel : nn.Module
{
    [ComponentName(Name = "tok_embeddings")] readonly TokenEmbedding tokEmbeddings;
    readonly ModuleList<MiniMindBlock> layers;
    readonly RMSNorm norm;
    readonly Projection output;
    readonly RotaryEmbedding rotary;

    public MiniMindModel(MiniMindConfig config) : base(nameof(MiniMindModel))
    {
        Config = config.Validate();
        output = new Projection(config.Dim, config.VocabSize);
        tokEmbeddings = new TokenEmbedding(output.Weight);
        layers = new ModuleList<MiniMindBlock>(
            Enumerable.Range(0, config.NLayers).Select(i => new MiniMindBlock(i, config)).ToArray());
        norm = new RMSNorm(config.Dim, config.NormEps);
        rotary = new RotaryEmbedding(config.HeadDim, config.MaxSeqLen, config.RopeTheta, config.RopeScaling);
        register_module("tok_embeddings", tokEmbeddings);
        register_module("layers", layers);
        register_module("norm", norm);
        register_module("output", output);
        register_module("rotary", rotary);
    }

    public MiniMindConfig Config { get; }

    /// <summary>The device the weights are on.</summary>
    public Device Device => norm.Weight.device;

    /// <summary>
    /// ids (B, T) int64 at positions startPos.. -> logits (B, T, vocab) (or (B, 1, vocab) with lastOnly)
    /// and the summed MoE aux loss (a zero scalar for dense models and outside training).
    /// </summary>
    public (Tensor Logits, Tensor? AuxLoss) Forward(Tensor ids, int startPos = 0, KVCache? cache = null, bool lastOnly = false)
    {
        using var scope = NewDisposeScope();
        var (h, aux) = Trunk(ids, startPos, cache, lastOnly);
        return (output.forward(h).MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Everything but the output head: ids (B, T) -> the final-normed hidden states (B, T, dim) that
    /// <see cref="OutputHead"/> turns into logits, and the aux loss. For losses that apply the head themselves
    /// (<see cref="Training.Objectives.ChunkedHeadLoss"/>) so the (tokens x vocab) logits never exist whole.
    /// </summary>
    public (Tensor Hidden, Tensor? AuxLoss) ForwardHidden(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var (h, aux) = Trunk(ids, 0, null, false);
        return (h.MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope());
    }

    /// <summary>The output projection (dim -> vocab; its weight is the token embedding's).</summary>
    public Projection OutputHead => output;

    (Tensor Hidden, Tensor? AuxLoss) Trunk(Tensor ids, int startPos, KVCache? cache, bool lastOnly)
    {
        if (ids.dim() != 2) throw new ArgumentException($"Token ids must be (batch, length); got shape [{string.Join(", ", ids.shape)}].");
        var h = tokEmbeddings.forward(ids);
        if (Config.Dropout > 0 && training) h = F.dropout(h, Config.Dropout, training);
        Tensor? aux = null; // stays null for a dense model, and for a MoE model outside training
        foreach (var block in layers)
        {
            var (next, layerAux) = block.Forward(h, rotary, startPos, cache);
            h = next;
            if (layerAux is not null) aux = aux is null ? layerAux : aux + layerAux;
        }
        if (lastOnly) h = h.narrow(1, h.shape[1] - 1, 1);
        return (norm.forward(h), aux);
    }

    // TorchSharp's to() replaces each module's parameters one module at a time and disposes the old tensors,
    // which leaves the output head holding the disposed original of the weight it shares with the embedding:
    // after every move or conversion, tie the two to the surviving tensor again.
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        base._to(device, dtype, non_blocking);
        Retie();
        return this;
    }

    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
    {
        base._to(deviceType, deviceIndex, non_blocking);
        Retie();
        return this;
    }

    protected override nn.Module _to(ScalarType dtype, bool non_blocking)
    {
        base._to(dtype, non_blocking);
        Retie();
        return this;
    }

    void Retie()
    {
        var shared = tokEmbeddings.Weight.IsInvalid ? output.Weight : tokEmbeddings.Weight;
        tokEmbeddings.Tie(shared);
        output.Tie(shared);
    }

    /// <summary>Every projection of the model with its state-dict prefix (e.g. <c>layers.0.attention.wq</c>).</summary>
    public IEnumerable<(string Name, Projection Projection)> Projections() =>
        named_modules().Where(m => m.module is Projection && !m.name.Contains(".lora.")).Select(m => (m.name, (Projection)m.module));

    /// <summary>
    /// The dtype the projections multiply in (bf16 for mixed precision on a GPU); weights, norms,
    /// softmax and the loss stay fp32. Null: the weights' own dtype.
    /// </summary>
    public ScalarType? ComputeType
    {
        get => computeType;
        set
        {
            computeType = value;
            foreach (var (_, p) in Projections()) p.ComputeType = value;
        }
    }

    ScalarType? computeType;

    /// <summary>
    /// Converts every weight to <paramref name="dtype"/> (bf16) for serving: no projection casts its weight on each
    /// call (seven casts per layer per decoded token otherwise) and decoding reads half the bytes. The residual
    /// stream and the KV cache are then bf16 as well, as in the original served with <c>.half()</c>-style weights;
    /// the rotary tables stay fp32, the norms take their statistics in fp32 and the sampler works on fp32 logits.
    /// For inference only: training keeps fp32 weights and multiplies in <see cref="ComputeType"/>.
    /// </summary>
    public MiniMindModel ConvertWeightsForInference(ScalarType dtype)
    {
        if (dtype != ScalarType.BFloat16 && dtype != ScalarType.Float16 && dtype != ScalarType.Float32)
            throw new ArgumentException($"Weights can be served in bf16, fp16 or fp32, not {dtype}.");
        ComputeType = null;
        this.to(dtype);
        eval();
        return this;
    }

    /// <summary>
    /// Makes forward read working copies instead of the given parameters (bf16-pure training: bf16 copies that the
    /// optimizer refreshes from the fp32 weights after each step; gradients land on the copies), or, with null,
    /// the parameters themselves again. <paramref name="working"/>[i] stands for <paramref name="parameters"/>[i].
    /// </summary>
    public void UseWorkingWeights(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor>? working)
    {
        var copies = new Dictionary<IntPtr, Tensor>();
        if (working is not null)
            for (int i = 0; i < parameters.Count; i++) copies[parameters[i].Handle] = working[i];
        // every module that reads a weight in forward: the weight, and how to hand it a working copy
        var readers = named_modules().Select(m => m.module switch
        {
            Projection p => (p.Weight, (Action<Tensor?>)(w => p.Working = w)),
            TokenEmbedding e => (e.Weight, w => e.Working = w),
            RMSNorm n => (n.Weight, w => n.Working = w),
            MoEGate g => (g.Weight, w => g.Working = w),
            _ => default((Parameter Weight, Action<Tensor?> Set)?),
        }).OfType<(Parameter Weight, Action<Tensor?> Set)>().ToList();
        if (copies.Keys.Except(readers.Select(r => r.Weight.Handle)).Any())
            throw new ArgumentException("A working copy was given for a parameter no module of this model reads.");
        foreach (var (weight, set) in readers) set(copies.GetValueOrDefault(weight.Handle));
    }

    /// <summary>Every trainable tensor once (the tied embedding/output weight appears under two names).</summary>
    public IReadOnlyList<Parameter> UniqueParameters()
    {
        var seen = new HashSet<IntPtr>();
        return parameters().Where(p => seen.Add(p.Handle)).ToList();
    }

    /// <summary>Number of distinct parameters (the tied matrix counted once).</summary>
    public long ParameterCount => UniqueParameters().Sum(p => p.numel());
}
