using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Checkpoints;

/// <summary>
/// A LoRA adapter file: only the adapter tensors (<c>layers.N.attention.wq.lora.A.weight</c> / <c>.lora.B.weight</c>, as the
/// seed's model_lora.py saves them) and a sidecar naming the base checkpoint and the settings.
/// </summary>
public static class AdapterCheckpoint
{
    /// <summary>Writes only the adapter tensors (and a sidecar naming the base and the settings), atomically.</summary>
    public static void Save(MiniMindModel model, string path, CheckpointInfo info)
    {
        using var scope = NewDisposeScope(); // every handle made here freed on return, none left to the finalizer
        var tensors = model.state_dict().Where(kv => kv.Key.Contains(".lora."))
            .ToDictionary(kv => kv.Key, kv => kv.Value.detach().to(ScalarType.Float32).cpu().contiguous());
        if (tensors.Count == 0) throw new InvalidOperationException("The model has no LoRA adapters to save.");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        AtomicFile.Write(path, tmp => SafetensorsFile.Write(tmp, [.. tensors]));
        ModelCheckpoint.WriteSidecar(path, info with { Config = model.Config, Parameters = tensors.Values.Sum(t => t.numel()) });
    }

    /// <summary>Attaches the adapters stored in <paramref name="path"/> to a model of the matching base.</summary>
    public static LoraSettings Load(MiniMindModel model, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"LoRA adapter not found: {path}", path);
        var info = ModelCheckpoint.ReadInfo(path);
        var tensors = SafetensorsFile.Read(path);
        try
        {
            var prefixes = tensors.Keys.Where(k => k.EndsWith(".lora.A.weight")).Select(k => k[..^".lora.A.weight".Length]).ToList();
            if (prefixes.Count == 0 || tensors.Keys.Any(k => !k.Contains(".lora.")))
                throw new InvalidDataException($"{path} is not a LoRA adapter file (expected only *.lora.A.weight / *.lora.B.weight tensors).");
            int rank = (int)tensors[prefixes[0] + ".lora.A.weight"].shape[0];
            var settings = info?.Lora ?? new LoraSettings(rank, rank, "square");
            var projections = model.Projections().ToDictionary(p => p.Name, p => p.Projection);
            foreach (var prefix in prefixes)
            {
                if (!projections.TryGetValue(prefix, out var projection))
                    throw new InvalidDataException($"{path}: adapter for {prefix}, which this model does not have.");
                var a = tensors[prefix + ".lora.A.weight"];
                var b = tensors.GetValueOrDefault(prefix + ".lora.B.weight")
                        ?? throw new InvalidDataException($"{path}: {prefix}.lora.B.weight is missing.");
                if (a.shape[1] != projection.InFeatures || b.shape[0] != projection.OutFeatures || a.shape[0] != b.shape[1])
                    throw new InvalidDataException(
                        $"{path}: the adapter of {prefix} has A [{string.Join(", ", a.shape)}] and B [{string.Join(", ", b.shape)}]; the model's projection is {projection.OutFeatures} x {projection.InFeatures}.");
                var lora = projection.Adapter ?? projection.AttachAdapter((int)a.shape[0], settings.Alpha * a.shape[0] / settings.Rank, 0);
                using (no_grad())
                {
                    var weights = lora.named_parameters().ToDictionary(p => p.name, p => p.parameter);
                    weights["A.weight"].copy_(a);
                    weights["B.weight"].copy_(b);
                }
            }
            return settings;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
