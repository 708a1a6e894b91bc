using System.Collections;
using System.IO.Compression;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MiniMind.Engine.Interop;

/// <summary>
/// PyTorch <c>torch.save</c> state dicts (the zip format of PyTorch 1.6 and later, which the original
/// MiniMind writes) through TorchSharp.PyBridge, with the failures it reports as
/// NotImplementedException, KeyNotFound or zip errors turned into one message naming the file.
/// </summary>
public static class PthFile
{
    /// <summary>The state dict's tensors on the CPU in their stored dtype (the caller disposes them).</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file not found: {path}", path);
        var length = new FileInfo(path).Length;
        using (var probe = File.OpenRead(path))
        {
            Span<byte> magic = stackalloc byte[4];
            if (length < 4 || probe.Read(magic) < 4 || magic[0] != 0x50 || magic[1] != 0x4b)
                throw new InvalidDataException(
                    $"{path}: not a PyTorch zip checkpoint (no zip signature). Files written by torch.save before PyTorch 1.6 " +
                    "(legacy format) are not supported: load and re-save them with a current PyTorch.");
        }
        Hashtable table;
        try
        {
            table = PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotImplementedException or InvalidOperationException
                                      or InvalidCastException or ArgumentException or KeyNotFoundException or IndexOutOfRangeException
                                      or NullReferenceException or Razorvine.Pickle.PickleException)
        {
            throw new InvalidDataException($"{path}: not a readable PyTorch state dict ({Describe(e)}).", e);
        }
        // resume checkpoints wrap the weights: {"model": state_dict, "optimizer": ..., "epoch": ...}
        if (table["model"] is Hashtable wrapped) table = wrapped;
        else if (table["state_dict"] is Hashtable inner) table = inner;

        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry e in table)
        {
            if (e.Key is string name && e.Value is Tensor t) result[name] = t;
        }
        if (result.Count == 0)
        {
            throw new InvalidDataException($"{path}: holds no tensors (a PyTorch file, but not a state dict).");
        }
        return result;
    }

    /// <summary>
    /// Writes tensors as a <c>torch.save</c>-compatible state dict (float32 CPU tensors load with
    /// <c>torch.load(path, weights_only=True)</c>). Not atomic by itself: callers write to a temporary path and rename.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var table = new Hashtable();
        foreach (var (name, t) in tensors)
        {
            if (t.device_type != TorchSharp.DeviceType.CPU || !t.is_contiguous() || t.storage_offset() != 0)
                throw new ArgumentException($"Tensor {name} must be a contiguous CPU tensor that owns its storage to be pickled.");
            table[name] = t;
        }
        using var file = File.Create(path);
        PyTorchPickler.PickleStateDict(file, table);
    }

    static string Describe(Exception e) => e switch
    {
        InvalidDataException when e.Message.Contains("Central Directory", StringComparison.OrdinalIgnoreCase) =>
            "the zip archive is truncated or damaged: " + e.Message,
        InvalidOperationException when e.Message.Contains("Sequence contains no", StringComparison.Ordinal) =>
            "the archive lacks data.pkl or a tensor's data record",
        _ => e.Message,
    };
}
