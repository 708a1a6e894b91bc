using System.Text.RegularExpressions;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Engine.Interop;

/// <summary>
/// Turns outside weights into a studio checkpoint (<c>name.safetensors</c> + <c>name.json</c>): the original
/// MiniMind2 <c>.pth</c>/<c>.safetensors</c> state dicts, the transformers layout (Llama or the newer
/// MiniMind, q/k rows reordered from rotate-half to interleaved), and the original's LoRA adapter files.
/// Everything is read, converted and checked against the model before anything is written, so a bad source
/// leaves no file behind; the writes themselves are atomic.
/// </summary>
public static partial class CheckpointImporter
{
    const string LoraA = ".lora.A.weight", LoraB = ".lora.B.weight";

    public static ImportResult Import(string sourcePath, string outPath, ImportOptions? options = null)
    {
        options ??= new ImportOptions();
        if (!outPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The import target must be a .safetensors path (its .json sidecar goes beside it); got {outPath}.");
        var files = WeightFiles.Locate(sourcePath);
        var source = files.Count == 1 ? files[0] : sourcePath;
        var tensors = WeightFiles.ReadAll(files);
        try
        {
            return tensors.Keys.All(k => k.Contains(".lora.", StringComparison.Ordinal))
                ? ImportLora(tensors, source, outPath, options)
                : ImportModel(tensors, source, sourcePath, outPath, options);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    static ImportResult ImportModel(Dictionary<string, Tensor> tensors, string source, string sourcePath, string outPath, ImportOptions options)
    {
        var layout = LayoutConverter.Detect(tensors.Keys, source);
        var state = layout == WeightLayout.Transformers
            ? LayoutConverter.RenameToMiniMind(tensors, source)
            : LayoutConverter.CleanMiniMind(tensors, source);
        var (config, configSource) = ResolveConfig(state, source, sourcePath, options);
        if (layout == WeightLayout.Transformers) LayoutConverter.ReorderToInterleaved(state, config, source);
        try
        {
            using var model = new MiniMindModel(config);
            // names and shapes checked before anything is written, reported in the source's own names
            ModelCheckpoint.LoadStateDict(model, state, source, $"the model config (from {configSource})",
                name => layout == WeightLayout.Transformers ? LlamaNames.ToTransformers(name) ?? name : name);
            ModelCheckpoint.Save(model, outPath, new CheckpointInfo
            {
                Config = config,
                Stage = options.Stage ?? "imported",
                Tokenizer = options.Tokenizer is null ? null : Path.GetFullPath(options.Tokenizer),
                Notes = $"imported from {source} ({layout} layout; config from {configSource})",
            });
            return new ImportResult(Path.GetFullPath(outPath), source, layout, false, config, configSource, tensors.Count);
        }
        finally
        {
            // the reordered q/k tensors are new; the rest are the caller's
            var owned = tensors.Values.Select(t => t.Handle).ToHashSet();
            foreach (var t in state.Values) if (!owned.Contains(t.Handle)) t.Dispose();
        }
    }

    /// <summary>
    /// The original model_lora.py saves only the adapters (<c>layers.N.attention.wq.lora.A.weight</c>, no scaling,
    /// i.e. alpha = rank); the newer MiniMind names them after transformers' projections, whose q/k rows
    /// (B's rows) are in rotate-half order.
    /// </summary>
    static ImportResult ImportLora(Dictionary<string, Tensor> tensors, string source, string outPath, ImportOptions options)
    {
        var (config, configSource) = options.Config is { } c ? (c, "options")
            : options.BaseCheckpoint is { } basePath ? (ModelCheckpoint.ReadInfo(basePath)?.Config
                                                 ?? throw new ArgumentException($"{basePath} has no sidecar; give the base model's config."), basePath)
            : throw new ArgumentException($"{source} is a LoRA adapter file: give the base checkpoint it adapts (--base) so its shapes can be checked.");
        using var model = new MiniMindModel(config);
        var projections = model.Projections().ToDictionary(p => p.Name, p => p.Projection);
        var prefixes = tensors.Keys.Where(k => k.EndsWith(LoraA, StringComparison.Ordinal)).Select(k => k[..^LoraA.Length]).Order(StringComparer.Ordinal).ToList();
        var stray = tensors.Keys.Where(k => !k.EndsWith(LoraA, StringComparison.Ordinal) && !k.EndsWith(LoraB, StringComparison.Ordinal)).ToList();
        if (prefixes.Count == 0 || stray.Count > 0)
            throw new InvalidDataException($"{source}: a LoRA file holds only *.lora.A.weight / *.lora.B.weight tensors; found {string.Join(", ", stray.Concat(tensors.Keys).Take(3))}.");
        int rank = -1;
        bool allSquare = true;
        using (no_grad())
        {
            foreach (var prefix in prefixes)
            {
                var layout = prefix.StartsWith("model.", StringComparison.Ordinal) ? WeightLayout.Transformers : WeightLayout.MiniMind;
                var name = layout == WeightLayout.Transformers ? LlamaNames.ToMiniMind(prefix + ".weight")?[..^".weight".Length] : prefix;
                if (name is null || !projections.TryGetValue(name, out var projection))
                    throw new InvalidDataException($"{source}: adapter {prefix}{LoraA} is for a projection the base model does not have.");
                var a = tensors[prefix + LoraA];
                var bw = tensors.GetValueOrDefault(prefix + LoraB) ?? throw new InvalidDataException($"{source}: {prefix}{LoraB} is missing (every A needs its B).");
                if (a.dim() != 2 || bw.dim() != 2 || a.shape[1] != projection.InFeatures || bw.shape[0] != projection.OutFeatures || a.shape[0] != bw.shape[1])
                    throw new InvalidDataException(
                        $"{source}: adapter {prefix} has A [{string.Join(", ", a.shape)}] and B [{string.Join(", ", bw.shape)}]; " +
                        $"the base projection {name} is {projection.OutFeatures} x {projection.InFeatures}, so A must be [r, {projection.InFeatures}] and B [{projection.OutFeatures}, r].");
                if (rank >= 0 && a.shape[0] != rank)
                    throw new InvalidDataException($"{source}: adapter {prefix} has rank {a.shape[0]}, the others {rank}; one file holds one rank.");
                rank = (int)a.shape[0];
                allSquare &= projection.InFeatures == projection.OutFeatures;
                int heads = layout == WeightLayout.Transformers ? (LlamaNames.IsQuery(name + ".weight") ? config.NHeads : LlamaNames.IsKey(name + ".weight") ? config.KvHeads : 0) : 0;
                using var b = heads > 0 ? RotaryPermutation.HalfToInterleaved(bw, heads) : bw.alias();
                var lora = projection.AttachAdapter(rank, rank, 0);
                var weights = lora.named_parameters().ToDictionary(p => p.name, p => p.parameter);
                weights["A.weight"].copy_(a);
                weights["B.weight"].copy_(b);
            }
        }
        var settings = new LoraSettings(rank, rank, allSquare ? "square" : "all");
        AdapterCheckpoint.Save(model, outPath, new CheckpointInfo
        {
            Config = config,
            Stage = options.Stage ?? "lora",
            BaseCheckpoint = options.BaseCheckpoint is null ? null : Path.GetFullPath(options.BaseCheckpoint),
            Lora = settings,
            Notes = $"LoRA adapter imported from {source}",
        });
        return new ImportResult(Path.GetFullPath(outPath), source, prefixes[0].StartsWith("model.", StringComparison.Ordinal) ? WeightLayout.Transformers : WeightLayout.MiniMind,
            true, config, configSource, tensors.Count);
    }

    /// <summary>The options' config, else a config.json / lmconfig.json beside or inside the source, else the shapes.</summary>
    static (MiniMindConfig Config, string Source) ResolveConfig(Dictionary<string, Tensor> state, string source, string sourcePath, ImportOptions options)
    {
        if (options.Config is { } given) return (given.Validate(), "options");
        var folder = Directory.Exists(sourcePath) ? sourcePath : Path.GetDirectoryName(Path.GetFullPath(sourcePath))!;
        var hf = Path.Combine(folder, "config.json");
        if (File.Exists(hf))
        {
            var config = HuggingFaceConfig.Read(hf);
            // a null intermediate_size means the default rule; the tensors say it for certain
            if (config.HiddenDim is null && FirstFfnRows(state) is int rows) config = config with { HiddenDim = rows };
            if (state.ContainsKey("layers.0.attention.q_norm.weight") && !config.QkNorm) config = config with { Family = MiniMindConfig.MiniMind3 };
            return (config, hf);
        }
        var lm = Path.Combine(folder, "lmconfig.json");
        if (File.Exists(lm)) return (MiniMindConfig.Load(lm), lm);
        return (InferConfig(state, source, options.Heads), "tensor shapes");
    }

    /// <summary>Sizes read off the shapes (dim, vocab, layers, hidden, kv heads, experts); the rest are LMConfig defaults.</summary>
    static MiniMindConfig InferConfig(Dictionary<string, Tensor> state, string source, int? heads)
    {
        var embedding = state.GetValueOrDefault("tok_embeddings.weight")
                        ?? throw new InvalidDataException($"{source}: no token embedding (tok_embeddings.weight / model.embed_tokens.weight).");
        int dim = (int)embedding.shape[1];
        // minimind3's per-head query norm has head_dim entries: the head count follows from the weights
        if (heads is null && state.GetValueOrDefault("layers.0.attention.q_norm.weight") is { } qNorm && qNorm.dim() == 1 && qNorm.shape[0] > 0 && dim % qNorm.shape[0] == 0)
            heads = dim / (int)qNorm.shape[0];
        if (heads is not int h)
            throw new ArgumentException(
                $"{source}: the number of attention heads is not in the weights and there is no config.json or lmconfig.json beside them; " +
                "give the config (--config lmconfig.json) or the head count (--heads N; MiniMind2's released models use 8).");
        if (h <= 0 || dim % h != 0) throw new ArgumentException($"--heads {h} does not divide the model width {dim}.");
        var layerIds = state.Keys.Select(k => LayerIndex().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        if (layerIds.Count == 0) throw new InvalidDataException($"{source}: no layers.N tensors.");
        var wk = state.GetValueOrDefault("layers.0.attention.wk.weight") ?? throw new InvalidDataException($"{source}: no layer-0 key projection.");
        int headDim = dim / h;
        if (wk.shape[0] % headDim != 0)
            throw new InvalidDataException($"{source}: the key projection has {wk.shape[0]} rows, not a multiple of head_dim {headDim} ({h} heads): wrong --heads?");
        var experts = state.Keys.Select(k => ExpertIndex().Match(k)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Count();
        // per-head query norms: the current original's (minimind3) network; its defaults, not MiniMind2's
        bool minimind3 = state.ContainsKey("layers.0.attention.q_norm.weight");
        var defaults = minimind3 ? MiniMindConfig.Preset("minimind3") : new MiniMindConfig();
        var inferred = defaults with
        {
            Dim = dim,
            VocabSize = (int)embedding.shape[0],
            NLayers = layerIds.Max() + 1,
            NHeads = h,
            NKvHeads = (int)(wk.shape[0] / headDim),
            HiddenDim = FirstFfnRows(state),
            UseMoe = experts > 0,
            NRoutedExperts = experts > 0 ? experts : defaults.NRoutedExperts,
            NumExpertsPerTok = experts > 0 ? Math.Min(minimind3 ? 1 : defaults.NumExpertsPerTok, experts) : defaults.NumExpertsPerTok,
            NSharedExperts = experts > 0 ? state.ContainsKey("layers.0.feed_forward.shared_experts.w1.weight") : defaults.NSharedExperts,
            AuxLossAlpha = minimind3 && experts > 0 ? MiniMindConfig.Preset("minimind3-moe").AuxLossAlpha : defaults.AuxLossAlpha,
            SeqAux = !minimind3 && defaults.SeqAux,
        };
        return inferred.Validate();
    }

    static int? FirstFfnRows(Dictionary<string, Tensor> state) =>
        (state.GetValueOrDefault("layers.0.feed_forward.w1.weight") ?? state.GetValueOrDefault("layers.0.feed_forward.experts.0.w1.weight")) is { } w ? (int)w.shape[0] : null;

    [GeneratedRegex(@"^layers\.(\d+)\.")] private static partial Regex LayerIndex();
    [GeneratedRegex(@"^layers\.0\.feed_forward\.experts\.(\d+)\.")] private static partial Regex ExpertIndex();
}
