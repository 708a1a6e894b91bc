using MiniMind.Engine.Data;
using MiniMind.Engine.Generation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using MiniMind.Engine.Training.Rewards;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training.Objectives;

/// <summary>How GRPO samples and weighs: group size, new tokens, temperature and top-p, clipping and the KL weight.</summary>
public sealed record GrpoSettings(int GroupSize, int MaxNewTokens, double Temperature, double TopP, double ClipEps, double Beta)
{
    public static GrpoSettings FromOptions(TrainingOptions o) =>
        new(o.GrpoGroupSize, o.GrpoMaxNewTokens, o.GrpoTemperature, o.GrpoTopP, o.GrpoClipEps, o.GrpoBeta);
}

/// <summary>
/// Group relative policy optimisation from verifiable rewards (Shao et al. 2024; MiniMind's newest
/// <c>trainer/train_grpo.py</c>, whose defaults the options take): for each prompt of the batch, sample a group of
/// completions with the KV-cache generator (one batch of rows), score each with the <see cref="RewardSet"/>, normalise the
/// rewards within the group into advantages, and minimise <see cref="GrpoLoss"/> against a frozen reference (the starting
/// checkpoint). With grpo_epochs &gt; 1 the later passes over a batch reuse its completions and the log-probabilities of the
/// first pass (the ratio's denominator). Sampling draws from the run's random state, which the loop seeds per step, so a
/// resumed run samples what the straight run sampled.
/// </summary>
public sealed class GrpoObjective : IObjective
{
    readonly MiniMindModel reference;
    readonly ByteLevelBpeTokenizer tokenizer;
    readonly RewardSet rewards;
    readonly GrpoSettings settings;
    readonly IProgress<string>? log;
    readonly int logEvery;
    // completions and first-pass log-probabilities of batches a later pass delivers again, by their prompt list
    readonly Dictionary<object, (Rollout Rollout, Tensor OldLogProbs)> kept = new(ReferenceEqualityComparer.Instance);
    long computed;

    /// <param name="reference">The frozen reference (a copy of the starting checkpoint); this objective owns it.</param>
    /// <param name="log">Where a few sampled completions with their rewards go (every <paramref name="logEvery"/> batches).</param>
    public GrpoObjective(MiniMindModel reference, ByteLevelBpeTokenizer tokenizer, RewardSet rewards, GrpoSettings settings,
        IProgress<string>? log = null, int logEvery = 20)
    {
        if (settings.GroupSize < 2) throw new ArgumentException($"grpo_group_size must be at least 2; got {settings.GroupSize}.");
        this.reference = reference;
        this.tokenizer = tokenizer;
        this.rewards = rewards;
        this.settings = settings;
        this.log = log;
        this.logEvery = Math.Max(1, logEvery);
        reference.eval();
        foreach (var p in reference.parameters()) p.requires_grad = false;
    }

    public string Name => "grpo";

    public ObjectiveResult Compute(MiniMindModel model, BatchTensors batch)
    {
        var prompts = batch.Prompts ?? throw new ArgumentException("A GRPO batch carries its prompts and reference answers (a prompt file: {\"prompt\", \"answer\"} lines).");
        var device = batch.Inputs.device;
        Rollout rollout;
        Tensor? old = null;
        if (prompts.Pass > 0 && kept.Remove(prompts.Items, out var earlier)) (rollout, old) = earlier;
        else rollout = Sample(model, prompts.Items);
        try
        {
            var (result, logProbs) = Loss(model, rollout, old, device);
            if (prompts.MoreToCome) kept[prompts.Items] = (rollout, old ?? logProbs.DetachFromDisposeScope());
            else logProbs.Dispose();
            if (computed++ % logEvery == 0) LogSamples(rollout);
            return result;
        }
        finally
        {
            if (!kept.ContainsKey(prompts.Items)) old?.Dispose();
        }
    }

    /// <summary>
    /// The loss and figures on a rollout; <paramref name="oldLogProbs"/> null on a batch's first pass (the ratio is then 1,
    /// its gradient the policy gradient). Also returns this pass's detached log-probabilities, which a later pass compares against.
    /// </summary>
    public (ObjectiveResult Result, Tensor LogProbs) Loss(MiniMindModel model, Rollout rollout, Tensor? oldLogProbs, Device device)
    {
        using var scope = NewDisposeScope();
        long[] shape = [rollout.Rows, rollout.Length];
        var inputs = tensor(rollout.Inputs, shape, ScalarType.Int64).to(device);
        var targets = tensor(rollout.Targets, shape, ScalarType.Int64).to(device);
        var mask = tensor(rollout.Mask, shape, ScalarType.Float32).to(device);
        var advantages = tensor(rollout.Advantages.Select(a => (float)a).ToArray(), [rollout.Rows], ScalarType.Float32).to(device);
        Tensor referenceLogp;
        using (no_grad())
            referenceLogp = TokenLoss.TargetLogProbs(reference.Forward(inputs).Logits, targets);
        var (logits, aux) = model.Forward(inputs);
        var logp = TokenLoss.TargetLogProbs(logits, targets);
        var old = oldLogProbs ?? logp.detach();
        var (loss, figures) = GrpoLoss.Compute(logp, old, referenceLogp, advantages, mask, settings.ClipEps, settings.Beta);
        using (figures)
        {
            var metrics = new Dictionary<string, Tensor>
            {
                ["reward"] = Scalar(rollout.Rewards.Average(), device),
                ["zero_signal_groups"] = Scalar(rollout.ZeroSignalShare, device),
                ["kl"] = figures.Kl.detach(),
                ["clip_fraction"] = figures.ClipFraction.detach(),
                ["completion_length"] = Scalar(rollout.CompletionLengths.Average(), device),
            };
            for (var p = 0; p < rewards.Parts.Count; p++)
                metrics[$"reward_{rewards.Parts[p].Reward.Name}"] = Scalar(rollout.PartScores[p].Average(), device);
            foreach (var m in metrics.Values) m.MoveToOuterDisposeScope();
            var result = new ObjectiveResult(ObjectiveResult.WithAux(loss, aux).MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope(), metrics);
            return (result, logp.detach().MoveToOuterDisposeScope());
        }
    }

    static Tensor Scalar(double value, Device device) => tensor((float)value, ScalarType.Float32).to(device);

    /// <summary>
    /// Samples a group of completions per prompt (eval mode, no gradient; the model returns to training mode) and scores
    /// them. The sampler's seed is drawn from the global generator, which the loop seeds from the run's seed and the step.
    /// </summary>
    public Rollout Sample(MiniMindModel model, IReadOnlyList<PromptExample> prompts)
    {
        var rows = prompts.SelectMany(p => Enumerable.Repeat(p, settings.GroupSize)).ToArray();
        long seed;
        using (var draw = randint(long.MaxValue, [1], dtype: ScalarType.Int64)) seed = draw.item<long>();
        List<long>[] completions;
        try
        {
            using var noGradient = no_grad();
            completions = TokenGenerator.Generate(model, new GenerationRequest
            {
                Prompts = rows.Select(r => r.Ids).ToArray(),
                MaxNewTokens = settings.MaxNewTokens,
                Sampling = new SamplingOptions { Temperature = settings.Temperature, TopP = settings.TopP, TopK = 0, Seed = seed },
                EosId = tokenizer.EosId,
            });
        }
        finally
        {
            model.train();
        }
        return Score(rows, completions);
    }

    /// <summary>Scores sampled <paramref name="completions"/> of <paramref name="rows"/> (each prompt repeated group-size times) into a rollout.</summary>
    public Rollout Score(IReadOnlyList<PromptExample> rows, IReadOnlyList<IReadOnlyList<long>> completions)
    {
        var eos = tokenizer.EosId;
        var totals = new double[rows.Count];
        var parts = rewards.Parts.Select(_ => new double[rows.Count]).ToArray();
        var texts = new string[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            var ids = completions[r];
            var finished = ids.Count > 0 && eos is int e && ids[^1] == e;
            texts[r] = tokenizer.Decode((finished ? ids.Take(ids.Count - 1) : ids).Select(i => (int)i), skipSpecialTokens: true);
            var (total, scores) = rewards.Score(new RewardContext(rows[r].Question, rows[r].Answer, texts[r], ids, finished) { Facts = rows[r].Facts });
            totals[r] = total;
            for (var p = 0; p < scores.Length; p++) parts[p][r] = scores[p];
        }
        var (inputs, targets, mask, length) = Rollout.Layout(rows.Select(r => r.Ids).ToArray(), completions);
        return new Rollout
        {
            Rows = rows.Count, Length = length, GroupSize = settings.GroupSize, Inputs = inputs, Targets = targets, Mask = mask,
            Rewards = totals, PartScores = parts, Advantages = GrpoLoss.Advantages(totals, settings.GroupSize),
            Completions = texts, Questions = rows.Select(r => r.Question).ToArray(), CompletionLengths = completions.Select(c => c.Count).ToArray(),
        };
    }

    /// <summary>The first prompt's best and worst completions with their rewards, on one line each.</summary>
    void LogSamples(Rollout rollout)
    {
        if (log is null) return;
        var group = Enumerable.Range(0, rollout.GroupSize).OrderByDescending(r => rollout.Rewards[r]).ToArray();
        foreach (var r in new[] { group[0], group[^1] }.Distinct())
            log.Report($"sample: {Clip(rollout.Questions[r])} -> {Clip(rollout.Completions[r])} (reward {rollout.Rewards[r]:0.##})");
    }

    static string Clip(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 160 ? line : line[..160] + "…";
    }

    public void Dispose()
    {
        foreach (var (_, old) in kept.Values) old.Dispose();
        kept.Clear();
        reference.Dispose();
    }
}
