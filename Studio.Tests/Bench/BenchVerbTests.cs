using System.Text.Json;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MiniMind.Studio.Tests.Bench;

/// <summary>The bench tool's verbs that carry checks rather than only timings: parity against the reference fixture, and real-data batches.</summary>
public sealed class BenchVerbTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-benchcli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>Runs the bench tool in process, capturing what it prints.</summary>
    static Task<(int Code, string Out, string Err)> Run(params string[] args) =>
        Cli.Cli.RunWith((a, output, error) => MiniMind.Bench.BenchCli.RunAsync(a, output, error), args);

    static JsonElement LastLine(string output) => JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;

    [Fact]
    public async Task Parity_OnThisDevice_MatchesTheReferenceFixture()
    {
        var (code, output, err) = await Run("parity", "--device", "cpu", "--fixture", Repo.Fixture("tiny-dense"));

        Assert.True(code == 0, err + output);
        var json = LastLine(output);
        Assert.True(json.GetProperty("pass").GetBoolean());
        Assert.True(json.GetProperty("logits_max_abs_error").GetDouble() < 1e-4);
        Assert.Equal(24, json.GetProperty("greedy_agreeing_prefix").GetInt32());
        Assert.True(json.GetProperty("train_loss_max_abs_error").GetDouble() < 1e-4);
    }

    [Fact]
    public async Task Parity_WithAlteredWeights_Fails()
    {
        var fixture = Path.Combine(dir, "tiny-dense");
        Directory.CreateDirectory(fixture);
        foreach (var file in Directory.GetFiles(Repo.Fixture("tiny-dense"))) File.Copy(file, Path.Combine(fixture, Path.GetFileName(file)));
        var weights = Safetensors.LoadStateDict(Path.Combine(fixture, "weights.safetensors"));
        weights["layers.1.feed_forward.w2.weight"].add_(0.05);
        Safetensors.SaveStateDict(Path.Combine(fixture, "weights.safetensors"), weights);

        var (code, output, _) = await Run("parity", "--device", "cpu", "--fixture", fixture);

        Assert.Equal(1, code);
        Assert.False(LastLine(output).GetProperty("pass").GetBoolean());
    }

    [Fact]
    public async Task Train_OnARealFile_PackingRaisesTheUsefulShare()
    {
        async Task<JsonElement> Bench(params string[] extra)
        {
            var (code, output, err) = await Run(["train", "--device", "cpu", "--preset", "tiny", "--batch", "4", "--seq", "64", "--steps", "4", "--loop-only",
                "--data", Path.Combine(Repo.Root, "dataset", "pretrain_demo.jsonl"), "--tokenizer", Path.Combine(Repo.Root, "dataset", "tokenizer"), .. extra]);
            Assert.True(code == 0, err + output);
            return LastLine(output);
        }

        var padded = await Bench();
        var packed = await Bench("--packed");

        double paddedShare = padded.GetProperty("useful_share").GetDouble(), packedShare = packed.GetProperty("useful_share").GetDouble();
        Assert.InRange(paddedShare, 0.05, 1.0);
        Assert.True(packedShare > 0.95, $"packed rows are nearly all targets; got {packedShare}");
        Assert.True(padded.GetProperty("useful_share_if_padded_to_seq").GetDouble() < paddedShare, "trimming each batch to its longest row beats padding every row to max_seq_len");
        Assert.Equal(63, packed.GetProperty("mean_row_length").GetDouble());
        Assert.True(packed.GetProperty("tokens_per_s").GetDouble() > 0);
    }
}
