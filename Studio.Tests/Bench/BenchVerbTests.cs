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
        // each figure from its own definition: a packed step is batch x mean row length tokens in ms_per_step
        double msPerStep = packed.GetProperty("ms_per_step").GetDouble();
        Assert.Equal(4 * 63 / (msPerStep / 1000), packed.GetProperty("tokens_per_s").GetDouble(), tolerance: 4 * 63 / (msPerStep / 1000) * 0.01 + 1);
        Assert.InRange(msPerStep, packed.GetProperty("ms_per_step_min").GetDouble(), packed.GetProperty("ms_per_step_max").GetDouble());
        Assert.StartsWith("median of ", packed.GetProperty("statistic").GetString());
        // memory: the kernel's high-water mark over one run, at least what the process held with the model
        double peak = packed.GetProperty("peak_rss_mib").GetDouble(), withModel = packed.GetProperty("rss_with_model_mib").GetDouble();
        Assert.True(peak >= withModel && withModel > packed.GetProperty("rss_before_model_mib").GetDouble() - 1, packed.ToString());
        Assert.Contains("VmHWM", packed.GetProperty("memory_statistic").GetString());
        // the thread count a training run would choose: the free cores (this suite passes no --threads)
        Assert.InRange(packed.GetProperty("threads").GetInt32(), 1, Environment.ProcessorCount);
        Assert.Contains("cores free", packed.GetProperty("thread_choice").GetString());
    }

    [Theory]
    [InlineData(new[] { 3.0, 1.0, 2.0 }, 1.0, 2.0, 3.0)]
    [InlineData(new[] { 4.0, 1.0 }, 1.0, 2.5, 4.0)] // an even count: the mean of the two middles, not the slower run
    [InlineData(new[] { 7.0 }, 7.0, 7.0, 7.0)]
    public void Summarise_GivesMinMedianAndMax(double[] values, double min, double median, double max) =>
        Assert.Equal(new MiniMind.Bench.BenchMath.Spread(min, median, max, values.Length), MiniMind.Bench.BenchMath.Summarise(values));

    [Fact]
    public async Task Generate_RefusesAnEvenNumberOfRuns_AndReportsTheSpreadOfAnOddOne()
    {
        var even = await Run("generate", "--device", "cpu", "--preset", "tiny", "--batch", "1", "--new-tokens", "4", "--runs", "2");
        var odd = await Run("generate", "--device", "cpu", "--preset", "tiny", "--batch", "1", "--new-tokens", "4", "--runs", "3");

        Assert.Equal(1, even.Code);
        Assert.Contains("--runs must be an odd number", even.Err);
        Assert.True(odd.Code == 0, odd.Err);
        var json = LastLine(odd.Out);
        Assert.Equal("median of 3 timed runs after one warm-up; _min and _max beside", json.GetProperty("statistic").GetString());
        Assert.InRange(json.GetProperty("decode_tokens_per_s").GetDouble(), json.GetProperty("decode_tokens_per_s_min").GetDouble(), json.GetProperty("decode_tokens_per_s_max").GetDouble());
        Assert.Equal(1, json.GetProperty("threads").GetInt32()); // one row decodes on one thread
        Assert.Contains("decoding one row", json.GetProperty("thread_choice").GetString());
    }
}
