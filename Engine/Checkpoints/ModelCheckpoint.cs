using System.Text.Json;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Checkpoints;

/// <summary>
/// Reads and writes model weights as <c>.safetensors</c> under the seed's state-dict names, with the
/// <see cref="CheckpointInfo"/> sidecar. Writes are atomic: a temporary file in the same folder,
/// then a rename, so a crash never leaves a half-written checkpoint under the real name.
/// </summary>
public static class ModelCheckpoint
{
    static readonly JsonSerializerOptions SidecarJson = new() { WriteIndented = true };

    /// <summary>The sidecar path of a weights file: <c>x.safetensors</c> -> <c>x.json</c>.</summary>
    public static string SidecarPath(string weightsPath) => Path.ChangeExtension(weightsPath, ".json");

    /// <summary>The base checkpoint an adapter's sidecar names (a relative name is taken beside the adapter), or null when it names none or the file is missing.</summary>
    public static string? BaseOf(string adapterPath, CheckpointInfo info)
    {
        if (info.BaseCheckpoint is not { } named) return null;
        var path = Path.IsPathRooted(named) ? named : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(adapterPath))!, named);
        return File.Exists(path) ? path : null;
    }

    public static void Save(MiniMindModel model, string weightsPath, CheckpointInfo info)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(weightsPath))!;
        Directory.CreateDirectory(dir);
        // every handle made here (detach, cast, copy) is freed with the scope: one left to the finalizer would keep the
        // weights' buffer alive (a run's flat parameter buffer, after the run)
        using var scope = NewDisposeScope();
        var state = StateDict(model);
        info = info with { Config = model.Config, Parameters = model.ParameterCount };
        AtomicFile.Write(weightsPath, tmp => SafetensorsFile.Write(tmp, [.. state]));
        WriteSidecar(weightsPath, info);
    }

    public static void WriteSidecar(string weightsPath, CheckpointInfo info) =>
        AtomicFile.Write(SidecarPath(weightsPath), tmp => File.WriteAllText(tmp, JsonSerializer.Serialize(info, SidecarJson)));

    /// <summary>
    /// The tokenizer a checkpoint's sidecar names, as a path: as written when absolute; a relative one beside the
    /// sidecar when it is there, else under <paramref name="root"/> (the studio's content root; default: the working
    /// directory). Null when the checkpoint has no sidecar or its sidecar names no tokenizer. Chat, the API and
    /// evaluation (page and command line) all find a checkpoint's tokenizer this one way.
    /// </summary>
    public static string? TokenizerPathOf(string weightsPath, string? root = null)
    {
        var named = ReadInfo(weightsPath)?.Tokenizer;
        if (string.IsNullOrWhiteSpace(named)) return null;
        if (Path.IsPathRooted(named)) return named;
        var beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weightsPath))!, named);
        return Directory.Exists(beside) || File.Exists(beside) ? beside : Path.GetFullPath(Path.Combine(root ?? Directory.GetCurrentDirectory(), named));
    }

    /// <summary>Reads a sidecar, or null when the weights have none.</summary>
    public static CheckpointInfo? ReadInfo(string weightsPath)
    {
        var path = SidecarPath(weightsPath);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<CheckpointInfo>(File.ReadAllText(path))
                   ?? throw new InvalidDataException($"{path}: empty checkpoint sidecar.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid checkpoint sidecar: {e.Message}", e);
        }
    }

    /// <summary>
    /// Builds a model and loads weights into it. The config comes from <paramref name="config"/> when
    /// given (e.g. an LMConfig JSON for the seed's files), otherwise from the sidecar.
    /// </summary>
    public static MiniMindModel Load(string weightsPath, MiniMindConfig? config = null, Device? device = null)
    {
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"Checkpoint not found: {weightsPath}", weightsPath);
        config ??= ReadInfo(weightsPath)?.Config
                   ?? throw new ArgumentException($"{weightsPath} has no sidecar ({SidecarPath(weightsPath)}); give the model config (--config lmconfig.json).");
        var model = new MiniMindModel(config);
        LoadWeights(model, weightsPath);
        if (device is not null) model.to(device);
        model.eval();
        return model;
    }

    /// <summary>Copies a safetensors file's tensors into the model; every name and shape must match.</summary>
    public static void LoadWeights(MiniMindModel model, string weightsPath)
    {
        var loaded = SafetensorsFile.Read(weightsPath); // a damaged file fails naming the file, the tensor and the problem
        try
        {
            LoadStateDict(model, loaded, weightsPath);
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Copies named tensors into the model's parameters, checking names and shapes first (see <see cref="CheckFits"/>
    /// for <paramref name="config"/> and <paramref name="show"/>).
    /// </summary>
    public static void LoadStateDict(MiniMindModel model, IReadOnlyDictionary<string, Tensor> tensors, string source,
        string config = "this model config", Func<string, string>? show = null)
    {
        var expected = BaseStateDict(model);
        CheckFits(expected, tensors, source, config, show);
        using (no_grad())
        {
            foreach (var (name, target) in expected)
                target.copy_(tensors[name]);
        }
    }

    /// <summary>
    /// Throws an <see cref="InvalidDataException"/> naming the missing and unexpected tensors (five of each at most),
    /// then the first shape that differs, before anything is written. <paramref name="show"/> renders a name as the
    /// source spells it (an import from another layout); <paramref name="config"/> says where the config came from.
    /// </summary>
    static void CheckFits(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> tensors, string source,
        string config, Func<string, string>? show = null)
    {
        show ??= name => name;
        static string List(List<string> names) => string.Join(", ", names.Take(5)) + (names.Count > 5 ? $" and {names.Count - 5} more" : "");
        var missing = expected.Keys.Where(k => !tensors.ContainsKey(k)).Select(show).ToList();
        var unexpected = tensors.Keys.Where(k => !expected.ContainsKey(k)).Select(show).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException(
                $"{source} does not fit {config}: " +
                (missing.Count > 0 ? $"missing {List(missing)}. " : "") +
                (unexpected.Count > 0 ? $"unexpected {List(unexpected)}." : ""));
        foreach (var (name, target) in expected)
            if (!tensors[name].shape.SequenceEqual(target.shape))
                throw new InvalidDataException(
                    $"{source}: tensor {show(name)} has shape [{string.Join(", ", tensors[name].shape)}], {config} expects [{string.Join(", ", target.shape)}].");
    }

    /// <summary>The state dict without LoRA adapters (those are saved apart, by LoRAAdapters).</summary>
    static Dictionary<string, Tensor> BaseStateDict(MiniMindModel model) =>
        model.state_dict().Where(kv => !kv.Key.Contains(".lora.")).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>The model's state dict as CPU fp32 tensors (safe to write, independent of the training device and dtype), in the caller's dispose scope.</summary>
    static Dictionary<string, Tensor> StateDict(MiniMindModel model)
    {
        var result = new Dictionary<string, Tensor>();
        using (no_grad())
        {
            foreach (var (name, t) in BaseStateDict(model))
                result[name] = t.detach().to(ScalarType.Float32).cpu().contiguous();
        }
        return result;
    }
}
