using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniMind.Engine.Model;

/// <summary>
/// Attaching, merging and unmerging LoRA adapters on a <see cref="MiniMindModel"/> (the seed's model_lora.py: adapters on
/// every square dim x dim projection, names <c>layers.N.attention.wq.lora.A.weight</c> / <c>.lora.B.weight</c>). Saving and
/// loading them is <see cref="Checkpoints.AdapterCheckpoint"/>'s.
/// </summary>
public static class LoRAAdapters
{
    /// <summary>The projections a target set covers: "square" (dim x dim, the seed's) or "all" (every one but the output head).</summary>
    public static IEnumerable<(string Name, Projection Projection)> Targets(MiniMindModel model, string targets) => targets switch
    {
        "square" => model.Projections().Where(p => p.Name != "output" && p.Projection.InFeatures == p.Projection.OutFeatures),
        "all" => model.Projections().Where(p => p.Name != "output"),
        _ => throw new ArgumentException($"Unknown LoRA targets \"{targets}\": use square or all."),
    };

    /// <summary>Attaches fresh adapters (B = 0, so outputs are unchanged) and freezes everything else.</summary>
    public static IReadOnlyList<Parameter> Attach(MiniMindModel model, LoraSettings settings, double dropout = 0)
    {
        var targets = Targets(model, settings.Targets).ToList();
        if (targets.Count == 0)
            throw new ArgumentException($"No projection matches LoRA targets \"{settings.Targets}\" in this model (dim {model.Config.Dim}).");
        foreach (var p in model.parameters()) p.requires_grad = false;
        foreach (var (_, projection) in targets) projection.AttachAdapter(settings.Rank, settings.Alpha, dropout);
        return AdapterParameters(model);
    }

    public static IReadOnlyList<Parameter> AdapterParameters(MiniMindModel model) =>
        model.named_parameters().Where(p => p.name.Contains(".lora.")).Select(p => p.parameter).ToList();

    public static void Merge(MiniMindModel model)
    {
        foreach (var (_, p) in model.Projections()) p.MergeAdapter();
    }

    public static void Unmerge(MiniMindModel model)
    {
        foreach (var (_, p) in model.Projections()) p.UnmergeAdapter();
    }
}
