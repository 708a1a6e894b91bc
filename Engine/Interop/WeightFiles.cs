using System.Text.Json;
using MiniMind.Engine.IO;
using static TorchSharp.torch;

namespace MiniMind.Engine.Interop;

/// <summary>
/// Finds and reads the weights of an import source: a <c>.pth</c>/<c>.bin</c> (PyTorch zip) or
/// <c>.safetensors</c> file, told apart by content rather than extension, or a folder holding
/// <c>model.safetensors</c>, its sharded index, <c>pytorch_model.bin</c> or a single weights file.
/// Every tensor comes back as float32 on the CPU (the newer MiniMind saves fp16, transformers exports often bf16).
/// </summary>
public static class WeightFiles
{
    /// <summary>The weights files of a source path (one, or the shards of an index), in reading order.</summary>
    public static IReadOnlyList<string> Locate(string source)
    {
        if (File.Exists(source)) return [Path.GetFullPath(source)];
        if (!Directory.Exists(source)) throw new FileNotFoundException($"Import source not found: {source}", source);
        foreach (var name in new[] { "model.safetensors", "pytorch_model.bin" })
        {
            var path = Path.Combine(source, name);
            if (File.Exists(path)) return [Path.GetFullPath(path)];
        }
        var index = Path.Combine(source, "model.safetensors.index.json");
        if (File.Exists(index)) return Shards(index);
        var candidates = Directory.GetFiles(source).Where(f => f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
                                                             || f.EndsWith(".pth", StringComparison.OrdinalIgnoreCase)).Order().ToList();
        return candidates.Count switch
        {
            1 => [Path.GetFullPath(candidates[0])],
            0 => throw new FileNotFoundException($"{source}: no model.safetensors, pytorch_model.bin, shard index or single .pth/.safetensors file in this folder.", source),
            _ => throw new InvalidDataException($"{source}: several weights files ({string.Join(", ", candidates.Select(Path.GetFileName))}); name the one to import."),
        };
    }

    /// <summary>All tensors of the files as float32 CPU tensors; a name in two files is an error.</summary>
    public static Dictionary<string, Tensor> ReadAll(IReadOnlyList<string> paths)
    {
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var path in paths)
            {
                foreach (var (name, t) in Read(path))
                {
                    if (!result.TryAdd(name, t))
                    {
                        t.Dispose();
                        throw new InvalidDataException($"{path}: tensor {name} appears in more than one weights file.");
                    }
                }
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>One file's tensors as float32 CPU tensors.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights file not found: {path}", path);
        var raw = IsZip(path) ? PthFile.Read(path) : SafetensorsFile.Read(path);
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, t) in raw)
        {
            if (!t.is_floating_point())
            {
                foreach (var x in raw.Values) x.Dispose();
                throw new InvalidDataException($"{path}: tensor {name} is {t.dtype}, not a floating-point weight.");
            }
            if (t.dtype == ScalarType.Float32) { result[name] = t; continue; }
            result[name] = t.to(ScalarType.Float32);
            t.Dispose();
        }
        return result;
    }

    static bool IsZip(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return stream.Read(magic) == 2 && magic[0] == 0x50 && magic[1] == 0x4b;
    }

    static IReadOnlyList<string> Shards(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(indexPath));
            var folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
            return doc.RootElement.GetProperty("weight_map").EnumerateObject().Select(p => p.Value.GetString()!)
                .Distinct().Order(StringComparer.Ordinal).Select(f => Path.Combine(folder, f)).ToList();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{indexPath}: not a valid shard index (needs a weight_map object): {e.Message}", e);
        }
    }
}
