using System.Text.Json;
using System.Text.Json.Serialization;
using MiniMind.Engine.Data;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training;

/// <summary>
/// Everything needed to continue a run exactly: model weights (adapters included), AdamW moments,
/// the optimizer step and the data cursor (the random generators are seeded per step from the run's seed). Written as a folder that replaces the
/// previous one by rename, so a kill at any moment leaves either the old or the new state whole.
/// </summary>
public sealed record ResumeState
{
    [JsonPropertyName("step")] public long Step { get; init; }
    [JsonPropertyName("total_steps")] public long TotalSteps { get; init; }
    [JsonPropertyName("cursor")] public required LoaderCursor Cursor { get; init; }
    [JsonPropertyName("elapsed_s")] public double ElapsedSeconds { get; init; }
    [JsonPropertyName("saved_utc")] public DateTimeOffset SavedUtc { get; init; } = DateTimeOffset.UtcNow;

    const string StateFile = "state.json", ModelFile = "model.safetensors", OptimizerFile = "optimizer.safetensors";
    /// <summary>The optimizer file of runs saved by earlier builds (TorchSharp's AdamW format).</summary>
    const string LegacyOptimizerFile = "optimizer.bin";

    public static void Save(string folder, ResumeState state, MiniMindModel model, FusedAdamW optimizer)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(folder))!;
        var staging = AtomicFile.TemporaryPath(Path.Combine(parent, "resume"));
        Directory.CreateDirectory(staging);
        try
        {
            // a scope, so no intermediate handle is left to the finalizer: one would keep the trained weights' buffer alive
            using (NewDisposeScope())
            {
                var tensors = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
                SafetensorsFile.Write(Path.Combine(staging, ModelFile), [.. tensors]);
            }
            optimizer.Save(Path.Combine(staging, OptimizerFile));
            File.WriteAllText(Path.Combine(staging, StateFile), JsonSerializer.Serialize(state));
            // a crash mid-swap leaves the previous state whole under .old, where Read looks next
            AtomicFile.ReplaceFolder(staging, folder, folder + ".old");
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
        }
    }

    /// <summary>The state in <paramref name="folder"/> (or its .old twin after a crash mid-swap), or null when there is none.</summary>
    public static ResumeState? Read(string folder)
    {
        foreach (var candidate in new[] { folder, folder + ".old" })
        {
            var path = Path.Combine(candidate, StateFile);
            if (!File.Exists(path)) continue;
            try
            {
                return JsonSerializer.Deserialize<ResumeState>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path}: empty resume state.");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: unreadable resume state ({e.Message}).", e);
            }
        }
        return null;
    }

    /// <summary>
    /// Restores weights and optimizer moments into a model and optimizer built like the original run's. The random
    /// generators need no state: the loop seeds them from the run's seed and the step at every step.
    /// </summary>
    public static void Restore(string folder, MiniMindModel model, FusedAdamW optimizer)
    {
        if (!File.Exists(Path.Combine(folder, StateFile)) && Directory.Exists(folder + ".old")) folder += ".old";
        var tensors = SafetensorsFile.Read(Path.Combine(folder, ModelFile));
        try
        {
            var expected = model.state_dict();
            var missing = expected.Keys.Where(k => !tensors.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{folder}: the resume state lacks {string.Join(", ", missing.Take(5))}: it was saved by a different model setup.");
            using (no_grad())
                foreach (var (name, target) in expected) target.copy_(tensors[name]);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        if (File.Exists(Path.Combine(folder, OptimizerFile))) optimizer.Load(Path.Combine(folder, OptimizerFile));
        else if (File.Exists(Path.Combine(folder, LegacyOptimizerFile))) optimizer.LoadTorchSharpAdamW(Path.Combine(folder, LegacyOptimizerFile));
        else throw new InvalidDataException($"{folder}: the resume state has no optimizer file ({OptimizerFile}).");
    }
}
