using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Training;
using MiniMind.Studio.Cli;

namespace MiniMind.Studio.Tests.Cli;

/// <summary>The train verb on the bundled demo corpus, a few steps per stage: the stages chain by the seed's checkpoint names.</summary>
public sealed class TrainVerbTests : IDisposable
{
    readonly string outDir = Directory.CreateTempSubdirectory("minimind-traincli-").FullName;

    public void Dispose() => Directory.Delete(outDir, recursive: true);


    string[] Tiny(params string[] more) =>
    [
        "--device", "cpu", "--set", $"out_dir={outDir}", "max_steps=3", "batch_size=4", "max_seq_len=64", "accumulation_steps=1",
        $"data_path={Path.Combine(Repo.Root, "dataset")}/{{0}}", $"tokenizer_path={Path.Combine(Repo.Root, "dataset", "tokenizer")}", .. more,
    ];

    async Task<(int Code, string Out, string Err)> Train(string stage, string data, params string[] more) =>
        await Cli.Run(["train", stage, .. Tiny(more).Select(a => a.Replace("{0}", data))]);

    [Fact]
    public async Task PretrainThenSftThenDpo_ChainThroughTheirCheckpoints()
    {
        var pretrain = await Train("pretrain", "pretrain_demo.jsonl", "packed=true");
        Assert.True(pretrain.Code == 0, pretrain.Err);
        Assert.Contains("checkpoint: " + Path.Combine(outDir, "pretrain_128.safetensors"), pretrain.Out);
        Assert.Contains("training with ", pretrain.Err); // the thread count the run chose, and why
        Assert.Contains("cores free", pretrain.Err);

        var sft = await Train("sft", "sft_demo.jsonl");
        Assert.True(sft.Code == 0, sft.Err);
        var dpo = await Train("dpo", "dpo_demo.jsonl", "batch_size=2");
        Assert.True(dpo.Code == 0, dpo.Err);

        var info = ModelCheckpoint.ReadInfo(Path.Combine(outDir, "rlhf_128.safetensors"))!;
        Assert.Equal(("dpo", 3L), (info.Stage, info.Step));
        Assert.Equal(Path.Combine(outDir, "full_sft_128.safetensors"), info.BaseCheckpoint);
        var runs = Directory.GetDirectories(Path.Combine(outDir, "runs"));
        Assert.Equal(3, runs.Length);
        Assert.All(runs, r => Assert.Equal(3, new RunDirectory(r).ReadMetrics().Count));
    }

    [Fact]
    public async Task Grpo_StartsFromSft_WritesGrpoDim_AndLogsSampledCompletionsOnLinesOfTheirOwn()
    {
        Assert.Equal(0, (await Train("pretrain", "pretrain_demo.jsonl", "packed=true")).Code);
        Assert.Equal(0, (await Train("sft", "sft_demo.jsonl")).Code);

        var grpo = await Train("grpo", "grpo_demo.jsonl", "max_steps=2", "batch_size=2", "grpo_group_size=3", "grpo_max_new_tokens=4");

        Assert.True(grpo.Code == 0, grpo.Err);
        Assert.Contains("checkpoint: " + Path.Combine(outDir, "grpo_128.safetensors"), grpo.Out);
        Assert.Equal(Path.Combine(outDir, "full_sft_128.safetensors"), ModelCheckpoint.ReadInfo(Path.Combine(outDir, "grpo_128.safetensors"))!.BaseCheckpoint);
        var samples = grpo.Err.Split('\n').Where(l => l.Contains("sample: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(samples);
        Assert.All(samples, l => Assert.StartsWith("sample: ", l.TrimStart('\r', ' '))); // not glued to the progress bar
    }

    [Fact]
    public async Task TrainHelp_ListsTheGrpoOptionsWithTheirDefaults()
    {
        var (code, output, _) = await Cli.Run(["train", "--help"]);

        Assert.Equal(0, code);
        Assert.Contains("grpo", output);
        Assert.Contains("grpo_group_size = 6", output);
        Assert.Contains("grpo_beta = 0.1", output);
        Assert.Contains("reward_answer = 1", output);
    }

    [Fact]
    public async Task Sft_WithoutAPretrainedCheckpoint_SaysWhatToDo()
    {
        var (code, _, err) = await Train("sft", "sft_demo.jsonl");

        Assert.Equal(1, code);
        Assert.Contains("pretrain_128.safetensors, which does not exist", err);
    }

    [Fact]
    public async Task Resume_ContinuesARunFromItsResumeState()
    {
        var first = await Train("pretrain", "pretrain_demo.jsonl", "max_steps=4");
        Assert.Equal(0, first.Code);
        var run = new RunDirectory(Directory.GetDirectories(Path.Combine(outDir, "runs")).Single());
        Assert.Equal(4, ResumeState.Read(run.ResumePath)!.Step);
        // as if the run had been meant to take 6 steps and was killed after its step-4 save
        File.WriteAllText(run.ConfigPath, File.ReadAllText(run.ConfigPath).Replace("\"max_steps\": 4", "\"max_steps\": 6"));

        var (code, output, err) = await Cli.Run("train", "pretrain", "--resume", run.Path, "--device", "cpu");

        Assert.True(code == 0, err);
        Assert.Contains("checkpoint:", output);
        Assert.Equal([1L, 2, 3, 4, 5, 6], run.ReadMetrics().Select(m => m.Step));
        Assert.Equal(6, ModelCheckpoint.ReadInfo(Path.Combine(outDir, "pretrain_128.safetensors"))!.Step);
    }

    [Fact]
    public async Task Resume_OfARunWithoutASavedState_IsRefused_AndItsHistoryKept()
    {
        var first = await Train("pretrain", "pretrain_demo.jsonl", "max_steps=4");
        Assert.Equal(0, first.Code);
        var run = new RunDirectory(Directory.GetDirectories(Path.Combine(outDir, "runs")).Single());
        Directory.Delete(run.ResumePath, recursive: true);
        var history = File.ReadAllText(run.MetricsPath);

        var (code, _, err) = await Cli.Run("train", "pretrain", "--resume", run.Path, "--device", "cpu");

        Assert.NotEqual(0, code);
        Assert.Contains(Path.Combine(run.ResumePath, "state.json") + " is missing", err);
        Assert.Equal(history, File.ReadAllText(run.MetricsPath));
    }

    [Fact]
    public async Task ARun_RemovesTheTemporaryFileAKilledSaveLeft_AndSaysSo()
    {
        var orphan = Path.Combine(outDir, $".pretrain_128.safetensors.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(orphan, new byte[4096]);
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddHours(-1));

        var (code, _, err) = await Train("pretrain", "pretrain_demo.jsonl", "max_steps=1");

        Assert.True(code == 0, err);
        Assert.False(File.Exists(orphan));
        Assert.Contains($"removed {orphan}", err);
    }

    [Theory]
    [InlineData("batch_size=0", "batch_size")]
    [InlineData("no_such_key=1", "Unknown training option \"no_such_key\"")]
    [InlineData("lr_schedule=linear", "lr_schedule")]
    public async Task BadOptions_AreClearErrors(string set, string message)
    {
        var (code, _, err) = await Cli.Run("train", "pretrain", "--set", set, "--show-config");

        Assert.Equal(1, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public async Task ShowConfig_PrintsTheStageDefaultsWithOverrides()
    {
        var (code, output, _) = await Cli.Run("train", "dpo", "--set", "dpo_beta=0.2", "--show-config");

        Assert.Equal(0, code);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("dpo", json.GetProperty("stage").GetString());
        Assert.Equal(1e-8, json.GetProperty("learning_rate").GetDouble());
        Assert.Equal(0.2, json.GetProperty("dpo_beta").GetDouble());
    }
}

public sealed class ProgressBarTests
{
    [Fact]
    public void AMessage_ClearsTheBarsLine_AndTheBarIsDrawnAgainBelowIt()
    {
        var text = new StringWriter();
        var bar = new ProgressBar(text, width: 10);

        bar.Report("step 1/4", 1, 4, "loss 1.0");
        bar.Message("sample: hi -> yo (reward 1)");
        bar.Report("step 2/4", 2, 4, "loss 0.9");

        var lines = text.ToString().Split(Environment.NewLine);
        Assert.Equal(2, lines.Length);
        Assert.Equal("sample: hi -> yo (reward 1)", lines[0].Split('\r')[^1]); // after the cleared bar, on its own
        Assert.Equal("", lines[0].Split('\r')[^2].Trim()); // the bar's characters were overwritten with spaces
        Assert.Contains("step 2/4", lines[1]); // drawn again at once, though 100 ms have not passed
    }
}
