using MiniMind.Engine.Model;
using MiniMind.Engine.Training;
using MiniMind.Engine.Training.Objectives;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

/// <summary>TrainingJob.Prepare's refusals: what a user sees when the data is not what the options ask for.</summary>
public sealed class TrainingJobTests : IDisposable
{
    readonly string outDir = Directory.CreateTempSubdirectory("minimind-job-").FullName;

    public void Dispose() => Directory.Delete(outDir, recursive: true);

    [Fact]
    public void FailOnBadRecords_RefusesTheFile_NamingItsFirstBadRecord()
    {
        var options = SmallPretrainJob.Options(outDir, new MiniMindConfig { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 32 }, lines: 10);
        File.AppendAllLines(options.DataPath, ["{\"txt\": \"no text field\"}"]);

        using (TrainingJob.Prepare(options, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain))) { } // by default the bad record is skipped
        var error = Assert.Throws<InvalidDataException>(() =>
            TrainingJob.Prepare(options with { FailOnBadRecords = true, Packed = false }, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain)));

        Assert.Contains("pretrain.jsonl", error.Message);
        Assert.Contains(":11", error.Message);
    }

    [Fact]
    public void GrpoJob_StartsFromTheStagesCheckpoint_WritesGrpoDim_AndLogsSampledCompletions()
    {
        var (pretrain, config) = Pretrained();
        var prompts = Path.Combine(outDir, "prompts.jsonl");
        File.WriteAllLines(prompts, ["{\"prompt\": \"小明有几个苹果？\", \"answer\": \"3\"}", "{\"prompt\": \"Bob has how many pears?\", \"answer\": \"5\"}"]);
        var grpo = TrainingOptions.ForStage(TrainingStage.Grpo) with
        {
            DataPath = prompts,
            TokenizerPath = pretrain.TokenizerPath,
            OutDir = outDir,
            InitFrom = TrainingJob.OutputPath(pretrain, config),
            Epochs = 2,
            MaxSeqLen = 96,
            GrpoMaxNewTokens = 5,
            GrpoGroupSize = 3,
            LearningRate = 1e-3,
            RewardNumeric = 1,
        };
        var log = new List<string>();
        var run = RunDirectory.Create(outDir, TrainingStage.Grpo);

        var result = TrainingJob.Execute(grpo, CPU, new Engine.Runtime.RuntimeInfo("test", "test", "test", CPU, 1), run, false,
            new SyncProgress(log.Add), null, CancellationToken.None);

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal(Path.Combine(outDir, "grpo_32.safetensors"), result.OutputPath);
        Assert.True(File.Exists(result.OutputPath));
        Assert.Equal(101, Engine.Checkpoints.ModelCheckpoint.ReadInfo(result.OutputPath)!.Config.MaxSeqLen); // room for a 96-token prompt and 5 new tokens
        Assert.Contains(log, l => l.StartsWith("sample: ", StringComparison.Ordinal) && l.Contains("(reward "));
        var metrics = File.ReadAllLines(Path.Combine(run.Path, "metrics.jsonl"));
        Assert.Equal(2, metrics.Length);
        Assert.All(["\"reward\"", "\"reward_answer\"", "\"reward_numeric\"", "\"kl\"", "\"clip_fraction\"", "\"zero_signal_groups\"", "\"completion_length\""],
            key => Assert.Contains(key, metrics[0]));
    }

    /// <summary>
    /// The current original's RL data: RLAIF prompts carry no reference (a reward model scores them there), agent-RL prompts
    /// carry facts (gt). With only reference rewards weighted, a file of RLAIF prompts is refused before the first step,
    /// saying why; with the length reward weighted, a mix of both trains.
    /// </summary>
    [Fact]
    public void GrpoOnTheOriginalsRlaifAndAgentRlData_TrainsOnTheRewardsThatApply_AndRefusesWhenNoneDoes()
    {
        var (pretrain, config) = Pretrained();
        var rlaif = Path.Combine(outDir, "rlaif.jsonl");
        File.WriteAllLines(rlaif, ["{\"conversations\": [{\"role\": \"user\", \"content\": \"讲个笑话\"}, {\"role\": \"assistant\", \"content\": \"\"}]}"]);
        var mixed = Path.Combine(outDir, "mixed.jsonl");
        File.WriteAllLines(mixed, [File.ReadAllText(rlaif).Trim(), "{\"conversations\": [{\"role\": \"user\", \"content\": \"1 plus 2?\"}, {\"role\": \"assistant\", \"content\": \"\"}], \"gt\": [3]}"]);
        var grpo = TrainingOptions.ForStage(TrainingStage.Grpo) with
        {
            DataPath = rlaif,
            TokenizerPath = pretrain.TokenizerPath,
            OutDir = outDir,
            InitFrom = TrainingJob.OutputPath(pretrain, config),
            MaxSeqLen = 96,
            GrpoMaxNewTokens = 4,
            GrpoGroupSize = 2,
            BatchSize = 2,
            MaxSteps = 1,
        };

        var refused = Assert.Throws<InvalidDataException>(() => TrainingJob.Execute(grpo, CPU, new Engine.Runtime.RuntimeInfo("test", "test", "test", CPU, 1),
            RunDirectory.Create(outDir, TrainingStage.Grpo), false, null, null, CancellationToken.None));
        var log = new List<string>();
        var result = TrainingJob.Execute(grpo with { DataPath = mixed, RewardLength = 1 }, CPU, new Engine.Runtime.RuntimeInfo("test", "test", "test", CPU, 1),
            RunDirectory.Create(outDir, TrainingStage.Grpo), false, new SyncProgress(log.Add), null, CancellationToken.None);

        Assert.Contains("reward model", refused.Message);
        Assert.Contains("reward_format or reward_length", refused.Message);
        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Contains(log, l => l.Contains("1 of 2 prompts carry no reference answer", StringComparison.Ordinal));
    }

    [Fact]
    public void ALoraRun_StartsFromTheSameAdaptersEveryTime_ForItsSeed()
    {
        var (pretrain, config) = Pretrained();
        var data = Path.Combine(outDir, "sft.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 8).Select(i => $"{{\"conversations\": [{{\"role\": \"user\", \"content\": \"hi {i}\"}}, {{\"role\": \"assistant\", \"content\": \"yo {i}\"}}]}}"));
        var lora = TrainingOptions.ForStage(TrainingStage.Lora) with
        {
            DataPath = data,
            TokenizerPath = pretrain.TokenizerPath,
            OutDir = outDir,
            InitFrom = TrainingJob.OutputPath(pretrain, config),
            MaxSeqLen = 64, // the first answer token comes after about 40 (the default system prompt, then the question)
            LoraRank = 4,
        };
        float[] Adapters(TrainingOptions o)
        {
            manual_seed(System.Random.Shared.NextInt64()); // whatever drew from the generator before
            using var setup = TrainingJob.Prepare(o, CPU, RunDirectory.Create(outDir, TrainingStage.Lora));
            return setup.Trainable.SelectMany(p => p.detach().flatten().data<float>().ToArray()).ToArray();
        }

        var first = Adapters(lora);

        Assert.Equal(first, Adapters(lora));
        Assert.NotEqual(first, Adapters(lora with { Seed = 7 }));
    }

    /// <summary>A small checkpoint pretrained for three steps, for later stages to start from: its options and config.</summary>
    (TrainingOptions Options, MiniMindConfig Config) Pretrained()
    {
        // 64 positions: the seed template's default system prompt alone takes about 30 tokens of a conversation
        var config = new MiniMindConfig { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 64 };
        var pretrain = SmallPretrainJob.Options(outDir, config, lines: 12);
        using (var setup = TrainingJob.Prepare(pretrain, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain)))
            Trainer.Run(setup, _ => { });
        return (pretrain, config);
    }

    sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }

    [Fact]
    public void ChunkedHead_IsTheDefault_AndTheOptionTrainsOnTheWholeLogitsWithTheSameLosses()
    {
        var options = SmallPretrainJob.Options(outDir, new MiniMindConfig { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 32 }, lines: 16)
            with
        { LrSchedule = "constant" };
        Assert.True(options.ChunkedHead);
        Assert.False(options.With(["chunked_head=false"]).ChunkedHead); // as train --set chunked_head=false gives it
        List<StepMetrics> Train(bool chunked)
        {
            var steps = new List<StepMetrics>();
            using var setup = TrainingJob.Prepare(options with { ChunkedHead = chunked }, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain));
            Assert.Equal(chunked, Assert.IsType<CrossEntropyObjective>(setup.Objective).ChunkedHead);
            Assert.Equal(RunOutcome.Completed, Trainer.Run(setup, steps.Add).Outcome);
            return steps;
        }

        var chunkedSteps = Train(true);
        var full = Train(false);

        Assert.Equal(full.Count, chunkedSteps.Count);
        for (int i = 0; i < full.Count; i++) Assert.True(Math.Abs(full[i].Loss - chunkedSteps[i].Loss) < 1e-4, $"step {i + 1}: {full[i].Loss} vs {chunkedSteps[i].Loss}");
    }

    [Fact]
    public void InitFromScratch_BuildsTheGivenArchitecture_AtAnyStageButDpo()
    {
        var teacherConfig = new MiniMindConfig { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 64 };
        var pretrain = SmallPretrainJob.Options(outDir, teacherConfig, lines: 12);
        using (var setup = TrainingJob.Prepare(pretrain, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain)))
            Trainer.Run(setup, _ => { });
        var teacher = TrainingJob.OutputPath(pretrain, teacherConfig);
        var student = new MiniMindConfig { Dim = 16, NLayers = 1, NHeads = 2, NKvHeads = 1, MaxSeqLen = 64 };
        var distill = pretrain with
        {
            Stage = TrainingStage.Distill,
            InitFrom = TrainingOptions.Scratch,
            Model = student,
            Teacher = teacher,
            Packed = false,
            DataPath = WriteConversations(),
            MaxSeqLen = 64, // the first answer token comes after about 40 (the default system prompt, then the question)
            OutputName = "student",
        };

        using (var setup = TrainingJob.Prepare(distill, CPU, RunDirectory.Create(outDir, TrainingStage.Distill)))
        {
            Assert.Equal((16, 1), (setup.Model.Config.Dim, setup.Model.Config.NLayers));
            Assert.IsType<DistillationObjective>(setup.Objective);
            Assert.Equal(RunOutcome.Completed, Trainer.Run(setup, _ => { }).Outcome);
        }
        var info = MiniMind.Engine.Checkpoints.ModelCheckpoint.ReadInfo(Path.Combine(outDir, "student.safetensors"))!;
        Assert.Equal((16, "distill"), (info.Config.Dim, info.Stage));
        Assert.Null(info.BaseCheckpoint);
        var dpo = Assert.Throws<ArgumentException>(() => (distill with { Stage = TrainingStage.Dpo }).Validate());
        Assert.Contains("init_from", dpo.Message);
    }

    string WriteConversations()
    {
        var path = Path.Combine(outDir, "sft.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 12).Select(i => System.Text.Json.JsonSerializer.Serialize(new
        {
            conversations = new[] { new { role = "user", content = $"{i} 加 1 等于多少？" }, new { role = "assistant", content = $"{i + 1}。" } },
        })));
        return path;
    }

    [Theory]
    [InlineData(TrainingStage.Pretrain)]
    [InlineData(TrainingStage.Sft)]
    [InlineData(TrainingStage.Dpo)]
    [InlineData(TrainingStage.Lora)]
    [InlineData(TrainingStage.Reason)]
    [InlineData(TrainingStage.Distill)]
    [InlineData(TrainingStage.Grpo)]
    public void DemoRecipe_IsValid_AndChainsEachStageToTheCheckpointBeforeIt(TrainingStage stage)
    {
        var options = DemoRecipe.For(stage, "somewhere").Validate();

        Assert.Equal(stage, options.Stage);
        Assert.StartsWith("dataset/", options.DataPath);
        Assert.Equal("somewhere", options.OutDir);
        Assert.NotNull(options.OutputName);
        var expectedInit = stage switch
        {
            TrainingStage.Pretrain => null,
            TrainingStage.Sft => DemoRecipe.PretrainName,
            TrainingStage.Dpo or TrainingStage.Grpo => DemoRecipe.SftName,
            TrainingStage.Lora or TrainingStage.Reason => DemoRecipe.DpoName,
            _ => TrainingOptions.Scratch,
        };
        Assert.Equal(expectedInit is null or TrainingOptions.Scratch ? expectedInit : Path.Combine("somewhere", expectedInit + ".safetensors"), options.InitFrom);
        Assert.True(options.LearningRate > TrainingOptions.ForStage(stage).LearningRate, "the demo recipe's rates are above the seed's");
        if (stage == TrainingStage.Distill) Assert.True(DemoRecipe.Student.ParameterCount * 3 < MiniMindConfig.Preset("tiny").ParameterCount);
    }

    [Fact]
    public void ANewRun_KeepsTheCheckpointItWouldReplace_AndAResumedRunWritesOverItsOwn()
    {
        var config = new MiniMindConfig { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 32 };
        var options = SmallPretrainJob.Options(outDir, config, lines: 12) with { OutputName = "mine" };
        var output = Path.Combine(outDir, "mine.safetensors");
        RunDirectory Train(RunDirectory run, bool resume)
        {
            using var setup = TrainingJob.Prepare(options, CPU, run, resume);
            Assert.Equal(RunOutcome.Completed, Trainer.Run(setup, _ => { }).Outcome);
            return run;
        }
        var first = Train(RunDirectory.Create(outDir, TrainingStage.Pretrain), resume: false);
        var firstBytes = File.ReadAllBytes(output);

        var second = Train(RunDirectory.Create(outDir, TrainingStage.Pretrain), resume: false);

        var kept = Assert.Single(Directory.GetFiles(Path.Combine(outDir, TrainingJob.ReplacedFolder), "*.safetensors"));
        Assert.StartsWith("mine-", Path.GetFileName(kept));
        Assert.Equal(firstBytes, File.ReadAllBytes(kept));
        Assert.Equal(first.Id, MiniMind.Engine.Checkpoints.ModelCheckpoint.ReadInfo(kept)!.RunId); // its sidecar moved with it
        Assert.Equal(second.Id, MiniMind.Engine.Checkpoints.ModelCheckpoint.ReadInfo(output)!.RunId);
        Assert.Null(TrainingJob.KeepReplaced(output, second.Id, Path.Combine(outDir, TrainingJob.ReplacedFolder))); // a run's own output is its to replace
        Assert.Single(Directory.GetFiles(Path.Combine(outDir, TrainingJob.ReplacedFolder), "*.safetensors"));
    }
}
