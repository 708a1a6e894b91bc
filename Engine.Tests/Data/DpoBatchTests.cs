using System.Text.Json;
using MiniMind.Engine.Data;

namespace MiniMind.Engine.Tests.Data;

/// <summary>DPO batches against dpo/golden.json: chosen rows first, x = ids[:-1], y = ids[1:], mask = the SFT mask shifted like y.</summary>
public sealed class DpoBatchTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    // The two preference pairs behind the golden batch (read back from its ids).
    static string Pair(string prompt, string chosen, string rejected) => JsonSerializer.Serialize(new
    {
        chosen = new[] { new { role = "user", content = prompt }, new { role = "assistant", content = chosen } },
        rejected = new[] { new { role = "user", content = prompt }, new { role = "assistant", content = rejected } },
    });

    [Fact]
    public void Batch_EqualsTheReferenceDpoBatch()
    {
        var golden = Fixture.Json("dpo", "golden.json");
        var path = data.Write("dpo.jsonl", Pair("What is 2+2?", "2+2 equals 4.", "It is 5."), Pair("你好", "你好！很高兴见到你。", "走开。"));
        using var loader = DataLoader.Open(path, TempData.SeedTokenizer,
            new DataLoaderOptions { Kind = DatasetKind.Dpo, MaxSeqLen = 48, BatchSize = 2, Shuffle = false });

        var batch = loader.Batch(0, 0, 0);

        Assert.Equal(4, batch.Rows);
        Assert.Equal(47, batch.Length);
        Assert.Equal(Flatten(golden.GetProperty("x")), batch.Inputs);
        Assert.Equal(Flatten(golden.GetProperty("y")), batch.Targets);
        Assert.Equal(Flatten(golden.GetProperty("mask")).Select(v => (float)v).ToArray(), batch.LossMask);
    }

    static long[] Flatten(JsonElement rows) => rows.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetInt64())).ToArray();
}
