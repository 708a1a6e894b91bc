using Microsoft.Extensions.Logging;
using MiniMind.Engine.Training;

namespace MiniMind.Studio.Services;

/// <summary>
/// What "train the demo model" runs besides pretrain, SFT and DPO, and the model shape it trains (<see cref="Preset"/>: one of
/// <see cref="DemoRecipe.Presets"/>, MiniMind2's tiny or minimind-3's).
/// </summary>
public sealed record DemoPipelineChoice(bool Lora = false, bool Reason = false, bool Distill = false, bool Grpo = false, string Preset = "tiny", bool Tools = false)
{
    public IEnumerable<TrainingStage> Stages()
    {
        yield return TrainingStage.Pretrain;
        yield return TrainingStage.Sft;
        yield return TrainingStage.Dpo;
        if (Tools) yield return TrainingStage.Tools;
        if (Lora) yield return TrainingStage.Lora;
        if (Reason) yield return TrainingStage.Reason;
        if (Distill) yield return TrainingStage.Distill;
        if (Grpo) yield return TrainingStage.Grpo;
    }
}

/// <summary>The state of one step of the demo pipeline.</summary>
public enum PipelineStepState { Waiting, Running, Completed, Failed, Cancelled, Skipped }

/// <summary>One step of the demo pipeline: its stage, its run once started, and the checkpoint it wrote.</summary>
public sealed record PipelineStep(TrainingStage Stage, PipelineStepState State, string? RunId = null, string? Output = null, string? Message = null)
{
    public bool IsFinished => State is PipelineStepState.Completed or PipelineStepState.Failed or PipelineStepState.Cancelled or PipelineStepState.Skipped;
}

/// <summary>
/// "Train the demo model": the whole <see cref="DemoRecipe"/> as one pipeline (pretrain -> SFT -> DPO, then the chosen
/// LoRA, reasoning and distillation steps), each step started when the one before it completes, from its checkpoint.
/// A step that fails or is stopped skips the rest (they could only fail without its checkpoint). Pages draw
/// <see cref="Steps"/> and follow <see cref="Changed"/>.
/// </summary>
public sealed class DemoPipeline(TrainingService training, StudioPaths paths, StudioOptions studio, ILogger<DemoPipeline> logger)
{
    readonly Lock gate = new();
    IReadOnlyList<PipelineStep> steps = [];
    Func<TrainingOptions, TrainingOptions> adjust = o => o;
    string preset = DemoRecipe.Presets[0]; // the shape of the pipeline that runs (or ran last)

    /// <summary>Raised (on a background thread) whenever a step changes.</summary>
    public event Action? Changed;

    public IReadOnlyList<PipelineStep> Steps
    {
        get { lock (gate) return steps; }
    }

    /// <summary>Whether a step is waiting or running.</summary>
    public bool Active => Steps.Any(s => !s.IsFinished);

    /// <summary>Whether every step completed.</summary>
    public bool Completed => Steps.Count > 0 && Steps.All(s => s.State == PipelineStepState.Completed);

    /// <summary>The step whose run is <paramref name="runId"/>, or null.</summary>
    public PipelineStep? StepOf(string runId) => Steps.FirstOrDefault(s => s.RunId == runId);

    /// <summary>The run of the step after the one of <paramref name="runId"/>, once it is started.</summary>
    public string? NextRun(string runId)
    {
        var list = Steps;
        var at = list.ToList().FindIndex(s => s.RunId == runId);
        return at >= 0 && at + 1 < list.Count ? list[at + 1].RunId : null;
    }

    /// <summary>What the pipeline that runs (or ran last) was started with, or null before any.</summary>
    public DemoPipelineChoice? Choice
    {
        get
        {
            var list = Steps;
            if (list.Count == 0) return null;
            bool Has(TrainingStage stage) => list.Any(s => s.Stage == stage);
            return new DemoPipelineChoice(Has(TrainingStage.Lora), Has(TrainingStage.Reason), Has(TrainingStage.Distill), Has(TrainingStage.Grpo), preset, Has(TrainingStage.Tools));
        }
    }

    /// <summary>
    /// Each stage's wall time on the 2-core development VM with nothing else running, Release build, process start included
    /// (docs/training.md, "Wall time per stage"): what an estimate uses for a stage this machine has not run yet.
    /// </summary>
    public static readonly IReadOnlyDictionary<TrainingStage, double> ReferenceSeconds = new Dictionary<TrainingStage, double>
    {
        [TrainingStage.Pretrain] = 111, [TrainingStage.Sft] = 46, [TrainingStage.Dpo] = 27, [TrainingStage.Lora] = 11,
        [TrainingStage.Reason] = 19, [TrainingStage.Distill] = 55, [TrainingStage.Grpo] = 24,
        [TrainingStage.Tools] = 266, // measured in a Debug build with other work beside it (docs/training.md, "Tool use")
    };

    /// <summary>
    /// How long the chosen stages take here: for each, the last completed demo run of it on this machine (same output and
    /// epochs: its elapsed time), else <see cref="ReferenceSeconds"/> (scaled by the epoch scale). Returns the seconds and
    /// how many of the stages were timed here.
    /// </summary>
    public (double Seconds, int Measured, int Stages) Estimate(DemoPipelineChoice choice)
    {
        var runs = training.Runs();
        double seconds = 0;
        int measured = 0, stages = 0;
        foreach (var stage in choice.Stages())
        {
            stages++;
            var options = OptionsFor(stage, choice.Preset);
            var timed = runs.Where(r => r.Stage == stage && r.Status == RunStatus.Completed)
                .Select(r => (Run: r, Options: TryOptions(r)))
                .Where(r => r.Options is { } o && o.OutputName == options.OutputName && o.Epochs == options.Epochs && o.Preset == options.Preset)
                .Select(r => training.Metrics(r.Run.Id) is { Count: > 0 } steps ? steps[^1].ElapsedSeconds : (double?)null)
                .FirstOrDefault(e => e is > 0);
            if (timed is { } elapsed) { seconds += elapsed; measured++; }
            else seconds += ReferenceSeconds[stage] * options.Epochs / DemoRecipe.For(stage, paths.OutDir).Epochs;
        }
        return (seconds, measured, stages);
    }

    static TrainingOptions? TryOptions(RunRecord run)
    {
        try { return run.Options; }
        catch (ArgumentException) { return null; } // options an older studio wrote
    }

    /// <summary>The checkpoint a completed step wrote (null before).</summary>
    public string? Output(TrainingStage stage) => Steps.FirstOrDefault(s => s.Stage == stage && s.State == PipelineStepState.Completed)?.Output;

    /// <summary>
    /// Starts the pipeline (its first step at once); <paramref name="tweak"/> changes every step's options (a shorter
    /// run for a quick look, or a test). Throws InvalidOperationException while one is active, ArgumentException for bad options.
    /// </summary>
    public RunRecord Start(DemoPipelineChoice choice, Func<TrainingOptions, TrainingOptions>? tweak = null)
    {
        lock (gate)
        {
            if (steps.Any(s => !s.IsFinished)) throw new InvalidOperationException("The demo pipeline is already running: stop it or wait for it.");
            if (!DemoRecipe.Presets.Contains(choice.Preset))
                throw new ArgumentException($"The demo trains the {string.Join(" or ", DemoRecipe.Presets)} preset, not \"{choice.Preset}\".");
            adjust = tweak ?? (o => o);
            preset = choice.Preset;
            steps = choice.Stages().Select(s => new PipelineStep(s, PipelineStepState.Waiting)).ToList();
        }
        try
        {
            return StartStep(0);
        }
        catch
        {
            lock (gate) steps = [];
            throw;
        }
    }

    /// <summary>The options of a step: the demo recipe's, reading and writing under the studio's out folder, its epochs scaled.</summary>
    public TrainingOptions OptionsFor(TrainingStage stage) => OptionsFor(stage, preset);

    TrainingOptions OptionsFor(TrainingStage stage, string shape)
    {
        var recipe = DemoRecipe.For(stage, paths.OutDir, shape);
        var scale = studio.DemoEpochScale > 0 && double.IsFinite(studio.DemoEpochScale) ? studio.DemoEpochScale : 1;
        return adjust(recipe with { Epochs = Math.Max(1, (int)Math.Ceiling(recipe.Epochs * scale)) });
    }

    RunRecord StartStep(int index)
    {
        var stage = Steps[index].Stage;
        var run = training.Start(OptionsFor(stage));
        Update(index, s => s with { State = PipelineStepState.Running, RunId = run.Id });
        var completion = training.CompletionOf(run.Id);
        if (completion is not null)
            _ = completion.ContinueWith(t => StepEnded(index, t), TaskScheduler.Default);
        return run;
    }

    void StepEnded(int index, Task<TrainingResult> ended)
    {
        var result = ended.IsCompletedSuccessfully ? ended.Result : null;
        var state = result?.Outcome switch
        {
            RunOutcome.Completed => PipelineStepState.Completed,
            RunOutcome.Cancelled => PipelineStepState.Cancelled,
            _ => PipelineStepState.Failed,
        };
        Update(index, s => s with { State = state, Output = result?.OutputPath, Message = result?.Message ?? ended.Exception?.GetBaseException().Message });
        if (state == PipelineStepState.Completed && index + 1 < Steps.Count)
        {
            try
            {
                StartStep(index + 1);
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "The demo pipeline's {Stage} step could not start.", Steps[index + 1].Stage.Name());
                Update(index + 1, s => s with { State = PipelineStepState.Failed, Message = e.Message });
                index++;
            }
        }
        for (var rest = index + 1; rest < Steps.Count; rest++) Update(rest, s => s with { State = PipelineStepState.Skipped });
    }

    void Update(int index, Func<PipelineStep, PipelineStep> change)
    {
        lock (gate)
        {
            var list = steps.ToList();
            list[index] = change(list[index]);
            steps = list;
        }
        try { Changed?.Invoke(); }
        catch (Exception e) { logger.LogError(e, "A demo pipeline listener failed."); }
    }
}
