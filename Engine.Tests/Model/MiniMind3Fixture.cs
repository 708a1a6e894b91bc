using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Interop;
using MiniMind.Engine.Model;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Model;

/// <summary>
/// The minimind3 golden fixture (Fixtures/reference/minimind3, see its README): the current original's outputs at the
/// real sizes on weights given by a formula, so no weight file is committed. <see cref="Model"/> computes the same
/// weights under the original's names and brings them in through the import path (renaming, q/k and q_norm/k_norm
/// reordering), as a user's minimind-3 checkpoint comes in.
/// </summary>
public static class MiniMind3Fixture
{
    public static JsonElement Golden { get; } = Fixture.Json("minimind3", "golden.json");

    public static Dictionary<string, Tensor> Outputs() => Safetensors.LoadStateDict(Fixture.Path("minimind3", "outputs.safetensors"));

    public static long[] Ids(string kind, string field = "input_ids") => [.. Golden.GetProperty(kind).GetProperty(field).EnumerateArray().Select(e => e.GetInt64())];

    /// <summary>ids (i * a + b) % 6400 for i below n, as the fixture's prompts are made.</summary>
    public static long[] Formula(int n, int a, int b) => [.. Enumerable.Range(0, n).Select(i => (long)((i * a + b) % 6400))];

    /// <summary>The model of a kind ("dense" or "moe"), imported from the formula's weights under the original's names.</summary>
    public static MiniMindModel Model(string kind, bool yarn = false)
    {
        var config = MiniMindConfig.Preset(kind == "moe" ? "minimind3-moe" : "minimind3") with { InferenceRopeScaling = yarn };
        var original = new Dictionary<string, Tensor>();
        int t = 0;
        foreach (var key in Golden.GetProperty(kind).GetProperty("keys").EnumerateArray())
        {
            var name = key[0].GetString()!;
            var shape = key[1].EnumerateArray().Select(e => e.GetInt64()).ToArray();
            original[name] = tensor(Values(name, shape, t++)).view(shape);
        }
        try
        {
            var state = LayoutConverter.RenameToMiniMind(original, "minimind3 fixture");
            LayoutConverter.ReorderToInterleaved(state, config, "minimind3 fixture");
            var model = new MiniMindModel(config);
            ModelCheckpoint.LoadStateDict(model, state, "minimind3 fixture");
            foreach (var (name, v) in state) if (!original.ContainsValue(v)) v.Dispose();
            model.eval();
            return model;
        }
        finally
        {
            foreach (var v in original.Values) v.Dispose();
        }
    }

    /// <summary>The fixture's weight formula (its README): splitmix64 of t * 2^40 + i, scaled per kind of tensor.</summary>
    static float[] Values(string name, long[] shape, int t)
    {
        long n = shape.Aggregate(1L, (a, d) => a * d);
        var values = new float[n];
        double cols = shape.Length > 1 ? Math.Sqrt(shape[1]) : 1;
        for (long i = 0; i < n; i++)
        {
            ulong z = unchecked(((ulong)t << 40) + (ulong)i + 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            z ^= z >> 31;
            double u = (z >> 11) / 9007199254740992.0;
            values[i] = (float)(name.EndsWith("norm.weight", StringComparison.Ordinal) ? 1.0 + (u - 0.5) * 0.4
                : name.Contains("embed_tokens", StringComparison.Ordinal) ? (u - 0.5) * 0.2
                : (u - 0.5) * 2.0 / cols);
        }
        return values;
    }
}
