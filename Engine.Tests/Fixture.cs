using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests;

/// <summary>Paths and loaders for the reference fixtures copied under Fixtures/reference.</summary>
public static class Fixture
{
    static Fixture() => TorchRuntime.Initialize(new RuntimeOptions("cpu"));

    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", "reference", .. parts]);

    public static JsonElement Json(params string[] parts) =>
        JsonDocument.Parse(File.ReadAllText(Path(parts))).RootElement;

    /// <summary>The tiny-dense LMConfig (dim 64, 2 layers, 4 heads, 2 kv heads).</summary>
    public static MiniMindConfig TinyDenseConfig() =>
        MiniMindConfig.FromJson(Json("tiny-dense", "golden.json").GetProperty("config").GetRawText());

    public static MiniMindModel TinyDenseModel() =>
        ModelCheckpoint.Load(Path("tiny-dense", "weights.safetensors"), TinyDenseConfig());

    /// <summary>The tensors of tiny-dense/io.safetensors (the caller disposes them).</summary>
    public static Dictionary<string, Tensor> TinyDenseIo() => Safetensors.LoadStateDict(Path("tiny-dense", "io.safetensors"));

    public static float MaxAbsDiff(Tensor a, Tensor b) => (a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max().item<float>();
}
