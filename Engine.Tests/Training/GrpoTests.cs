using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using MiniMind.Engine.Training;
using MiniMind.Engine.Training.Objectives;
using MiniMind.Engine.Training.Rewards;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

public sealed class GrpoTests : IDisposable
{
    readonly string outDir = Directory.CreateTempSubdirectory("minimind-grpo-").FullName;
    static readonly ByteLevelBpeTokenizer Tokenizer = ByteLevelBpeTokenizer.Load(Fixture.Path("seed-tokenizer"));

    public void Dispose() => Directory.Delete(outDir, recursive: true);

    /// <summary>The share of a completion's ids that are even: trivially learnable by a model that only has to prefer some tokens.</summary>
    sealed class EvenIds : IReward
    {
        public string Name => "even";

        public double Score(RewardContext c) => c.CompletionIds.Count == 0 ? 0 : c.CompletionIds.Count(i => i % 2 == 0) / (double)c.CompletionIds.Count;
    }

    /// <summary>The same reward for every completion: a group without signal.</summary>
    sealed class Constant : IReward
    {
        public string Name => "constant";

        public double Score(RewardContext c) => 0.7;
    }

    sealed class FromTable(Dictionary<string, double> table) : IReward
    {
        public string Name => "table";

        public double Score(RewardContext c) => table[c.Completion];
    }

    static GrpoObjective Objective(MiniMindModel reference, IReward reward, int group = 3, double beta = 0.04, double clip = 0.2,
        int maxNew = 6, double temperature = 1.0) =>
        new(reference, Tokenizer, new RewardSet([(reward, 1.0)]), new GrpoSettings(group, maxNew, temperature, 1.0, clip, beta));

    static MiniMindModel Perturbed(MiniMindModel model, double scale, int seed)
    {
        manual_seed(seed);
        using var _ = no_grad();
        foreach (var p in model.parameters()) p.add_(randn_like(p) * scale);
        return model;
    }

    static PromptExample Prompt(string question, string answer = "x") =>
        new(Tokenizer.Encode($"<s>user\n{question}</s>\n<s>assistant\n").Select(i => (long)i).ToArray(), question, answer);

    /// <summary>Two prompts, three fixed completions each (ids of short texts, the last of each group ending with eos).</summary>
    static (PromptExample[] Rows, long[][] Completions) FixedRollout()
    {
        var prompts = new[] { Prompt("What is 2 plus 2?"), Prompt("Where does Alice live?") };
        string[] texts = ["four", "It is 4", "5", "Mossford", "In Redhollow, I think", "no"];
        var eos = (long)Tokenizer.EosId!.Value;
        var completions = texts.Select((t, i) => Tokenizer.Encode(t).Select(x => (long)x).Concat(i % 3 == 2 ? [eos] : []).ToArray()).ToArray();
        return (prompts.SelectMany(p => Enumerable.Repeat(p, 3)).ToArray(), completions);
    }

    static double[,] LogProbs(MiniMindModel model, Rollout r)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var (logits, _) = model.Forward(tensor(r.Inputs, [r.Rows, r.Length], ScalarType.Int64));
        var logp = TokenLoss.TargetLogProbs(logits, tensor(r.Targets, [r.Rows, r.Length], ScalarType.Int64)).data<float>().ToArray();
        var result = new double[r.Rows, r.Length];
        for (var i = 0; i < r.Rows; i++)
            for (var t = 0; t < r.Length; t++) result[i, t] = logp[i * r.Length + t];
        return result;
    }

    [Fact]
    public void Loss_AndItsGradient_MatchAHandComputation()
    {
        using var policy = Fixture.TinyDenseModel();
        using var objective = Objective(Perturbed(Fixture.TinyDenseModel(), 0.02, seed: 1), new FromTable(new()
        {
            ["four"] = 1, ["It is 4"] = 0.5, ["5"] = 0, ["Mossford"] = 1, ["In Redhollow, I think"] = 0, ["no"] = 0,
        }), beta: 0.3, clip: 0.2);
        var (rows, completions) = FixedRollout();
        var rollout = objective.Score(rows, completions);
        // old log-probabilities off the policy's by up to +-0.4, so some ratios leave [0.8, 1.2] on both sides
        var logp = LogProbs(policy, rollout);
        var reference = LogProbs(ReferenceOf(objective), rollout);
        var random = new System.Random(7);
        var old = new double[rollout.Rows, rollout.Length];
        for (var i = 0; i < rollout.Rows; i++)
            for (var t = 0; t < rollout.Length; t++) old[i, t] = logp[i, t] + (random.NextDouble() - 0.5) * 0.8;
        using var oldTensor = tensor(Flatten(old), [rollout.Rows, rollout.Length], ScalarType.Float32);

        // by hand: the loss, and dL/dlogp per token (the min picks the clipped term only where that stops the gradient)
        double eps = 0.2, beta = 0.3, loss = 0;
        var coefficient = new double[rollout.Rows * rollout.Length];
        int clipped = 0, tokens = 0;
        for (var i = 0; i < rollout.Rows; i++)
        {
            var n = Enumerable.Range(0, rollout.Length).Count(t => rollout.Mask[i * rollout.Length + t] > 0);
            var a = rollout.Advantages[i];
            for (var t = 0; t < rollout.Length; t++)
            {
                if (rollout.Mask[i * rollout.Length + t] == 0) continue;
                var ratio = Math.Exp(logp[i, t] - old[i, t]);
                var kept = Math.Clamp(ratio, 1 - eps, 1 + eps);
                var d = reference[i, t] - logp[i, t];
                var kl = Math.Exp(d) - d - 1;
                loss += -(Math.Min(ratio * a, kept * a) - beta * kl) / n / rollout.Rows;
                var cut = (ratio > 1 + eps && a > 0) || (ratio < 1 - eps && a < 0);
                clipped += cut ? 1 : 0;
                tokens++;
                coefficient[i * rollout.Length + t] = ((cut ? 0 : -ratio * a) + beta * (1 - Math.Exp(d))) / n / rollout.Rows;
            }
        }
        Assert.InRange(clipped, 1, tokens - 1);

        var (result, fresh) = objective.Loss(policy, rollout, oldTensor, CPU);
        fresh.Dispose();
        result.Loss.backward();
        var gradients = policy.UniqueParameters().Select(p => p.grad!.clone()).ToList();
        foreach (var p in policy.UniqueParameters()) p.grad!.zero_();
        // the hand gradient: d/dtheta of sum(coefficient * logp(theta)), the coefficients held constant
        var (logits, _) = policy.Forward(tensor(rollout.Inputs, [rollout.Rows, rollout.Length], ScalarType.Int64));
        var surrogate = (TokenLoss.TargetLogProbs(logits, tensor(rollout.Targets, [rollout.Rows, rollout.Length], ScalarType.Int64))
            * tensor(coefficient.Select(c => (float)c).ToArray(), [rollout.Rows, rollout.Length])).sum();
        surrogate.backward();

        Assert.Equal(loss, result.Loss.item<float>(), 4);
        Assert.Equal(clipped / (double)tokens, result.Extra!["clip_fraction"].item<float>(), 5);
        var norm = Math.Sqrt(gradients.Sum(g => g.square().sum().item<float>()));
        Assert.True(norm > 1e-3, $"gradient norm {norm}");
        var parameters = policy.UniqueParameters().ToList();
        for (var p = 0; p < parameters.Count; p++)
            Assert.True(Fixture.MaxAbsDiff(gradients[p], parameters[p].grad!) <= 1e-4 * norm + 1e-7, $"parameter {p}: {Fixture.MaxAbsDiff(gradients[p], parameters[p].grad!)}");
    }

    static MiniMindModel ReferenceOf(GrpoObjective objective) =>
        (MiniMindModel)typeof(GrpoObjective).GetField("reference", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(objective)!;

    static float[] Flatten(double[,] values) => values.Cast<double>().Select(v => (float)v).ToArray();

    [Fact]
    public void AllEqualRewards_GiveNoPolicyGradient_AndTheKlIsZeroAtTheStart()
    {
        using var policy = Fixture.TinyDenseModel();
        using var objective = Objective(Fixture.TinyDenseModel(), new Constant(), beta: 0.5);
        var (rows, completions) = FixedRollout();
        var rollout = objective.Score(rows, completions);

        var (result, fresh) = objective.Loss(policy, rollout, null, CPU);
        fresh.Dispose();
        result.Loss.backward();

        Assert.All(rollout.Advantages, a => Assert.Equal(0, a));
        Assert.Equal(1, rollout.ZeroSignalShare);
        Assert.Equal(0, result.Extra!["kl"].item<float>());
        Assert.Equal(0, result.Loss.item<float>());
        Assert.All(policy.UniqueParameters(), p => Assert.Equal(0, p.grad!.abs().max().item<float>()));
    }

    [Fact]
    public void KlIsZeroAtTheStart_AndTheFirstPassGradientIsThePolicyGradient()
    {
        using var policy = Fixture.TinyDenseModel();
        using var objective = Objective(Fixture.TinyDenseModel(), new FromTable(new()
        {
            ["four"] = 1, ["It is 4"] = 0, ["5"] = 0, ["Mossford"] = 0, ["In Redhollow, I think"] = 1, ["no"] = 1,
        }));
        var (rows, completions) = FixedRollout();
        var rollout = objective.Score(rows, completions);

        var (result, fresh) = objective.Loss(policy, rollout, null, CPU);
        fresh.Dispose();

        Assert.Equal(0, result.Extra!["kl"].item<float>());
        Assert.Equal(0, result.Extra["clip_fraction"].item<float>());
        Assert.Equal(0.5, result.Extra["reward"].item<float>(), 5);
        Assert.Equal(0, result.Extra["zero_signal_groups"].item<float>());
        // ratio 1: the loss is -mean(A) over rows, and the advantages of a group sum to 0
        Assert.Equal(0, result.Loss.item<float>(), 5);
        Assert.Equal(completions.Average(c => c.Length), result.Extra["completion_length"].item<float>(), 4);
    }

    [Fact]
    public void Rollout_LaysOutPromptAndCompletion_MaskingOnlyTheCompletionTargets()
    {
        var (inputs, targets, mask, length) = Rollout.Layout([[1, 2, 3], [4]], [[5, 6], [7, 8, 9]]);

        Assert.Equal(4, length);
        Assert.Equal([1, 2, 3, 5, 4, 7, 8, 0], inputs);
        Assert.Equal([2, 3, 5, 6, 7, 8, 9, 0], targets);
        Assert.Equal([0, 0, 1, 1, 1, 1, 1, 0], mask);
    }

    [Fact]
    public void Advantages_AreGroupNormalised()
    {
        var a = GrpoLoss.Advantages([1, 0, 0, 1, 2, 2, 2, 2], 4);

        Assert.Equal(0.5 / (0.5 + 1e-4), a[0], 9); // mean 0.5, population std 0.5
        Assert.Equal(-0.5 / (0.5 + 1e-4), a[1], 9);
        Assert.Equal([0, 0, 0, 0], a[4..]);
        Assert.Throws<ArgumentException>(() => GrpoLoss.Advantages([1, 2, 3], 2));
    }

    List<StepMetrics> Train(GrpoObjective objective, MiniMindModel model, TrainingOptions options, PromptExample[] prompts, RunDirectory run,
        CancellationToken cancel = default, Action<StepMetrics>? onStep = null, bool resume = false, LoaderCursor? cursor = null)
    {
        var steps = new List<StepMetrics>();
        var setup = new TrainerSetup
        {
            Options = options, Model = model, Trainable = model.UniqueParameters(), Objective = objective,
            Data = new PromptData(prompts, options.BatchSize, options.Seed, options.GrpoEpochs, options.AccumulationSteps, cursor),
            Device = CPU, Run = run, OutputPath = Path.Combine(outDir, "grpo_64.safetensors"), Resume = resume,
            SaveOutput = (path, step) => ModelCheckpoint.Save(model, path, new CheckpointInfo { Config = model.Config, Stage = "grpo", Step = step }),
        };
        Trainer.Run(setup, m => { steps.Add(m); onStep?.Invoke(m); }, cancel);
        return steps;
    }

    static readonly PromptExample[] Questions = [Prompt("Say something."), Prompt("Tell me a word."), Prompt("Any answer?"), Prompt("Go on.")];

    [Fact]
    public void ATinyRun_RaisesATriviallyLearnableReward()
    {
        using var model = Fixture.TinyDenseModel();
        var options = TrainingOptions.ForStage(TrainingStage.Grpo) with
        {
            Epochs = 20,
            BatchSize = 2,
            LearningRate = 1e-2,
            LrSchedule = "constant",
            GrpoGroupSize = 8,
            GrpoBeta = 0,
            SaveEvery = 1000,
        };
        using var objective = Objective(Fixture.TinyDenseModel(), new EvenIds(), group: 8, beta: 0);

        var steps = Train(objective, model, options, Questions, RunDirectory.Create(outDir, TrainingStage.Grpo));

        Assert.Equal(40, steps.Count);
        double first = steps.Take(5).Average(s => s.Extra!["reward"]), last = steps.TakeLast(5).Average(s => s.Extra!["reward"]);
        Assert.True(last > first + 0.2, $"mean reward {first:0.00} over the first five steps, {last:0.00} over the last five");
    }

    [Fact]
    public void AResumedRun_SamplesTheCompletionsOfTheStraightRun()
    {
        var options = TrainingOptions.ForStage(TrainingStage.Grpo) with
        {
            Epochs = 2,
            BatchSize = 2,
            LearningRate = 3e-3,
            GrpoGroupSize = 4,
            SaveEvery = 2,
            Seed = 11,
        };
        List<StepMetrics> straight;
        using (var model = Fixture.TinyDenseModel())
        using (var objective = Objective(Fixture.TinyDenseModel(), new EvenIds(), group: 4))
            straight = Train(objective, model, options, Questions, RunDirectory.Create(outDir, TrainingStage.Grpo));

        var run = RunDirectory.Create(outDir, TrainingStage.Grpo);
        using var cancel = new CancellationTokenSource();
        using (var model = Fixture.TinyDenseModel())
        using (var objective = Objective(Fixture.TinyDenseModel(), new EvenIds(), group: 4))
            Train(objective, model, options, Questions, run, cancel.Token, m => { if (m.Step == 2) cancel.Cancel(); });
        var state = ResumeState.Read(run.ResumePath)!;
        using var resumedModel = ModelCheckpoint.Load(Path.Combine(outDir, "grpo_64.safetensors"), Fixture.TinyDenseConfig());
        using var resumedObjective = Objective(Fixture.TinyDenseModel(), new EvenIds(), group: 4);
        var resumed = Train(resumedObjective, resumedModel, options, Questions, run, resume: true, cursor: state.Cursor);

        Assert.Equal(2, state.Step);
        Assert.Equal(straight.Skip(2).Select(s => s.Step), resumed.Select(s => s.Step));
        Assert.Equal(straight.Skip(2).Select(s => s.Extra!["reward"]), resumed.Select(s => s.Extra!["reward"]));
        Assert.Equal(straight.Skip(2).Select(s => s.Extra!["completion_length"]), resumed.Select(s => s.Extra!["completion_length"]));
        for (var i = 0; i < resumed.Count; i++) Assert.Equal(straight[i + 2].Loss, resumed[i].Loss, 5);
    }

    [Fact]
    public void LaterPasses_ReuseTheFirstPassesCompletions_AndMeasureTheRatioAgainstIt()
    {
        using var model = Fixture.TinyDenseModel();
        var options = TrainingOptions.ForStage(TrainingStage.Grpo) with
        {
            Epochs = 1,
            BatchSize = 2,
            LearningRate = 5e-2,
            LrSchedule = "constant",
            GrpoGroupSize = 6,
            GrpoEpochs = 3,
            SaveEvery = 1000,
        };
        using var objective = Objective(Fixture.TinyDenseModel(), new EvenIds(), group: 6);

        var steps = Train(objective, model, options, Questions, RunDirectory.Create(outDir, TrainingStage.Grpo));

        Assert.Equal(6, steps.Count); // two batches, three passes each
        foreach (var pass in new[] { steps[..3], steps[3..] })
        {
            Assert.All(pass, s => Assert.Equal(pass[0].Extra!["reward"], s.Extra!["reward"]));
            Assert.All(pass, s => Assert.Equal(pass[0].Extra!["completion_length"], s.Extra!["completion_length"]));
            Assert.Equal(0, pass[0].Extra!["clip_fraction"]);
        }
        Assert.Contains(steps, s => s.Extra!["clip_fraction"] > 0); // the weights moved between passes: some ratios left the clip range
    }
}
