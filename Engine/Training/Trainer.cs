using MiniMind.Engine.Data;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training;

/// <summary>
/// The one training loop every stage runs (the objective is the only stage-specific part). Per optimizer
/// step: accumulate micro-batch gradients (each loss scaled by 1/accumulation) into one flat gradient buffer,
/// set the learning rate, clip and step AdamW (<see cref="FusedAdamW"/>), and every sync_every steps read the
/// losses and gradient norms back in one transfer and report them; every save_every steps write the output
/// checkpoint and the resume state. Between reads nothing waits for the device, so a GPU stays busy. A
/// non-finite loss or gradient stops the run with the weights of the step before it (the optimizer skips
/// the bad step on the device).
/// </summary>
public static class Trainer
{
    public static TrainingResult Run(TrainerSetup setup, Action<StepMetrics>? onStep = null, CancellationToken cancel = default, PauseGate? pause = null)
    {
        using var flat = new FlatParameters(setup.Trainable, setup.WorkingWeights);
        if (flat.WorkingViews is { } views) setup.Model.UseWorkingWeights(setup.Trainable, views);
        try
        {
            return Loop(setup, flat, onStep, cancel, pause);
        }
        finally
        {
            // the model reads its own (fp32) weights again, as the checkpoint holds them
            if (flat.WorkingViews is not null) setup.Model.UseWorkingWeights(setup.Trainable, null);
        }
    }

    /// <summary>The loop, top to bottom: where to start, then per step the micro-steps, the optimizer step, the log, the save and control.</summary>
    static TrainingResult Loop(TrainerSetup setup, FlatParameters flat, Action<StepMetrics>? onStep, CancellationToken cancel, PauseGate? pause)
    {
        var o = setup.Options;
        long total = TotalSteps(setup);
        if (total <= 0) return Failed(setup, 0, 0, "The dataset gives no batch: it is empty, or every record was skipped as bad.");
        var schedule = new LearningRateSchedule(o.LearningRate, total, o.WarmupSteps, o.LrSchedule == "constant");
        using var optimizer = new FusedAdamW(flat, o.AdamBeta1, o.AdamBeta2, o.AdamEps, o.WeightDecay);
        var (step, elapsedBefore) = StartingPoint(setup, flat, optimizer);
        if (step >= total) return new TrainingResult(setup.Run.Id, RunOutcome.Completed, step, total, setup.OutputPath);

        Begin(setup, flat);
        int syncEvery = o.SyncEvery ?? (setup.Device.type == DeviceType.CUDA ? 10 : 1);
        using var log = new StepLog(setup, total, step, elapsedBefore, onStep);
        var accumulated = new Accumulator();
        long savedStep = step;
        try
        {
            foreach (var (batch, next) in setup.Data.Batches(cancel))
            {
                if (cancel.IsCancellationRequested) break;
                // micro-steps: forward and backward, gradients summed until the step's batches are in
                if (accumulated.MicroBatches == 0) SeedStep(o.Seed, step + 1, setup.Device);
                accumulated.Add(MicroStep(setup, batch), batch);
                if (accumulated.MicroBatches < o.AccumulationSteps) continue;

                // clip and step (nothing read back: the device may run ahead)
                double lr = schedule.At(step++);
                log.Add(OptimizerStep(setup, flat, optimizer, lr, accumulated, step, next));

                // log: every sync_every steps, and before a save, the end, a pause or a stop
                bool save = step % o.SaveEvery == 0 || step == total;
                if (log.Count >= syncEvery || save || step >= total || pause?.IsPaused == true || cancel.IsCancellationRequested)
                    if (log.Flush() is { } bad) return NonFinite(setup, bad, total, savedStep);

                // save
                if (save) savedStep = Save(setup, optimizer, step, total, next, log.Elapsed);

                // control
                if (step >= total) break;
                if (pause?.IsPaused == true) log.WithoutClock(() => pause.WaitWhilePaused(cancel));
                if (cancel.IsCancellationRequested) break;
            }
            if (log.Flush() is { } last) return NonFinite(setup, last, total, savedStep);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            if (log.Flush() is { } last) return NonFinite(setup, last, total, savedStep);
        }
        catch (Exception e) when (NativeErrors.IsOutOfMemory(e))
        {
            return Failed(setup, savedStep, total,
                $"Out of memory at step {step + 1}: lower batch_size or max_seq_len (or raise accumulation_steps to keep the effective batch). {LastGood(setup, savedStep)}");
        }
        finally
        {
            accumulated.Clear();
        }

        if (step >= total) return new TrainingResult(setup.Run.Id, RunOutcome.Completed, step, total, setup.OutputPath);
        // stopped: what was trained since the last save is saved, so the run continues from where it stood
        if (step > savedStep && log.Cursor is { } cursor) Save(setup, optimizer, step, total, cursor, log.Elapsed);
        return new TrainingResult(setup.Run.Id, RunOutcome.Cancelled, step, total, setup.OutputPath,
            $"Stopped at step {step} of {total}; run {setup.Run.Id} continues from there (train --resume {setup.Run.Id}).");
    }

    /// <summary>Optimizer steps in the run: max_steps, or the epochs' batches over accumulation_steps, whichever is fewer.</summary>
    static long TotalSteps(TrainerSetup setup)
    {
        var o = setup.Options;
        long stepsPerEpoch = (setup.Data.BatchesPerEpoch + o.AccumulationSteps - 1) / o.AccumulationSteps;
        return Math.Min(o.MaxSteps ?? long.MaxValue, o.Epochs * stepsPerEpoch);
    }

    /// <summary>
    /// Where the run starts: step 0, or a resume state's step with its weights and moments restored. The metrics of later
    /// steps (logged by a killed attempt after its last save) are dropped: those steps run again.
    /// </summary>
    static (long Step, double ElapsedSeconds) StartingPoint(TrainerSetup setup, FlatParameters flat, FusedAdamW optimizer)
    {
        long step = 0;
        double elapsed = 0;
        if (setup.Resume && ResumeState.Read(setup.Run.ResumePath) is { } state)
        {
            ResumeState.Restore(setup.Run.ResumePath, setup.Model, optimizer);
            flat.RefreshWork();
            (step, elapsed) = (state.Step, state.ElapsedSeconds);
        }
        if (setup.Resume) setup.Run.TruncateMetricsAfter(step);
        return (step, elapsed);
    }

    /// <summary>Training mode, a clean gradient, and every replica holding the master's weights.</summary>
    static void Begin(TrainerSetup setup, FlatParameters flat)
    {
        setup.Model.train();
        flat.ZeroGrad();
        setup.Parallel?.Broadcast(flat);
        foreach (var replica in setup.Parallel?.Replicas ?? []) replica.Model.train();
    }

    /// <summary>
    /// One optimizer step on the accumulated gradient (reduced across replicas first): AdamW at this step's learning rate
    /// with clipping, then a zeroed gradient and the new weights sent to the replicas. Its figures stay on the device.
    /// </summary>
    static PendingStep OptimizerStep(TrainerSetup setup, FlatParameters flat, FusedAdamW optimizer, double lr, Accumulator accumulated, long step, LoaderCursor next)
    {
        setup.Parallel?.ReduceGradients(flat);
        var (loss, aux, extra, tokens, useful) = accumulated.TakeMeans();
        var gradNorm = optimizer.Step(lr, setup.Options.GradClip, loss);
        flat.ZeroGrad();
        setup.Parallel?.Broadcast(flat);
        return new PendingStep(step, lr, loss, aux, extra, gradNorm, tokens, useful, next);
    }

    /// <summary>A non-finite loss or gradient norm: the run ends at the step before it (the optimizer skipped it on the device).</summary>
    static TrainingResult NonFinite(TrainerSetup setup, StepLog.NonFinite bad, long total, long savedStep) =>
        Failed(setup, bad.Step - 1, total,
            $"The loss became {bad.Loss} (gradient norm {bad.GradNorm}) at step {bad.Step}; the weights were not updated. " +
            $"{LastGood(setup, savedStep)} Try a lower learning_rate or a smaller grad_clip.");

    /// <summary>
    /// Seeds the random generators (CPU and every GPU) from the run's seed and the step about to run, so that what
    /// draws from them inside a step (dropout, LoRA dropout) is the same whether the run went straight through or was
    /// stopped and resumed at any step: libtorch offers no way to save a GPU generator's state with the run.
    /// </summary>
    static void SeedStep(long seed, long step, Device device)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)step); // SplitMix64 of (seed, step)
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        var derived = (long)((z ^ (z >> 31)) >> 1);
        manual_seed(derived);
        if (device.type == DeviceType.CUDA) cuda.manual_seed_all(derived);
    }

    /// <summary>Forward and backward of one micro-batch (split across the replicas when data parallel); returns the detached loss, aux loss and extras.</summary>
    static ObjectiveResult MicroStep(TrainerSetup setup, TokenBatch batch)
    {
        if (setup.Parallel is not { } parallel)
            return Part(setup.Model, setup.Objective, setup.Device, batch, setup.Options.AccumulationSteps);
        var parts = DataParallel.Split(batch, parallel.Parts, setup.Objective.PairedRows);
        // each part's share of the batch's mean: by target tokens for token-averaged losses, by pairs for DPO,
        // so the summed gradients equal one model's on the whole batch even when parts hold unequal padding
        var sizes = parts.Select(p => setup.Objective.PairedRows ? (double)p.Rows : Math.Max(1, p.UsefulTokens)).ToArray();
        var weights = sizes.Select(w => w / sizes.Sum()).ToArray();
        var results = new ObjectiveResult[parts.Count];
        Parallel.For(0, parts.Count, p =>
        {
            var (model, objective, device) = p == 0
                ? (setup.Model, setup.Objective, setup.Device)
                : (parallel.Replicas[p - 1].Model, parallel.Replicas[p - 1].Objective, parallel.Replicas[p - 1].Device);
            results[p] = Part(model, objective, device, parts[p], setup.Options.AccumulationSteps / weights[p]);
        });
        using var scope = NewDisposeScope();
        Tensor Weighted(Func<ObjectiveResult, Tensor> pick) =>
            results.Select((r, p) => pick(r).to(setup.Device) * weights[p]).Aggregate((a, b) => a + b).MoveToOuterDisposeScope();
        var merged = new ObjectiveResult(Weighted(r => r.Loss), results[0].AuxLoss is null ? null : Weighted(r => r.AuxLoss!),
            results[0].Extra?.Keys.ToDictionary(k => k, k => Weighted(r => r.Extra![k])));
        foreach (var r in results)
        {
            r.Loss.Dispose();
            r.AuxLoss?.Dispose();
            foreach (var t in r.Extra?.Values ?? []) t.Dispose();
        }
        return merged;
    }

    /// <summary>One model's forward and backward on one batch, its loss divided by <paramref name="scale"/> before backward.</summary>
    static ObjectiveResult Part(MiniMind.Engine.Model.MiniMindModel model, IObjective objective, Device device, TokenBatch batch, double scale)
    {
        using var scope = NewDisposeScope();
        long[] shape = [batch.Rows, batch.Length];
        var inputs = Upload(tensor(batch.Inputs, shape, ScalarType.Int64), device);
        var targets = Upload(tensor(batch.Targets, shape, ScalarType.Int64), device);
        var mask = Upload(tensor(batch.LossMask, shape, ScalarType.Float32), device);
        var result = objective.Compute(model, new BatchTensors(inputs, targets, mask, batch.Prompts));
        (result.Loss / scale).backward();
        objective.AfterBackward();
        return new ObjectiveResult(
            result.Loss.detach().MoveToOuterDisposeScope(),
            result.AuxLoss?.detach().MoveToOuterDisposeScope(),
            result.Extra?.ToDictionary(kv => kv.Key, kv => kv.Value.detach().MoveToOuterDisposeScope()));
    }

    /// <summary>
    /// A host tensor on the training device. To a GPU through pinned memory, without blocking: a copy from pageable
    /// memory makes PyTorch wait for every kernel queued before it, one stall per micro-batch that would undo
    /// sync_every; the pinned buffer goes back to PyTorch's pinned-memory cache, which reuses it only after the copy.
    /// </summary>
    static Tensor Upload(Tensor host, Device device)
    {
        if (device.type == DeviceType.CPU) return host;
        using var pinned = host.pin_memory();
        return pinned.to(device, non_blocking: true);
    }

    /// <summary>The output checkpoint and the resume state at <paramref name="step"/>; returns the step saved.</summary>
    static long Save(TrainerSetup setup, FusedAdamW optimizer, long step, long total, LoaderCursor cursor, double elapsed)
    {
        setup.SaveOutput(setup.OutputPath, step);
        ResumeState.Save(setup.Run.ResumePath, new ResumeState { Step = step, TotalSteps = total, Cursor = cursor, ElapsedSeconds = elapsed },
            setup.Model, optimizer);
        return step;
    }

    static string LastGood(TrainerSetup setup, long savedStep) => savedStep > 0
        ? $"The last good checkpoint is {setup.OutputPath} (step {savedStep})."
        : "No checkpoint was written yet.";

    static TrainingResult Failed(TrainerSetup setup, long step, long total, string message)
    {
        File.AppendAllText(Path.Combine(setup.Run.Path, "error.txt"), $"{DateTimeOffset.UtcNow:O} {message}{Environment.NewLine}");
        return new TrainingResult(setup.Run.Id, RunOutcome.Failed, step, total, setup.OutputPath, message);
    }

    /// <summary>One optimizer step whose figures are still on the device, waiting for the next read.</summary>
    internal sealed record PendingStep(long Step, double LearningRate, Tensor Loss, Tensor? Aux, Dictionary<string, Tensor>? Extra, Tensor GradNorm,
        long Tokens, long UsefulTokens, LoaderCursor Cursor) : IDisposable
    {
        /// <summary>
        /// Loss, gradient norm, the aux loss when the model has one, then the extras in key order: the order
        /// <see cref="StepLog.Flush"/> reads them in.
        /// </summary>
        public IEnumerable<Tensor> Scalars() =>
            new[] { Loss, GradNorm }.Concat(Aux is null ? [] : [Aux]).Concat(Extra?.Values ?? Enumerable.Empty<Tensor>());

        public void Dispose()
        {
            foreach (var t in Scalars()) t.Dispose();
        }
    }

    /// <summary>Sums of one optimizer step's micro-batch results, kept on the device.</summary>
    sealed class Accumulator
    {
        Tensor? loss, aux;
        Dictionary<string, Tensor>? extra;

        public int MicroBatches { get; private set; }
        long tokens, usefulTokens;

        public void Add(ObjectiveResult r, TokenBatch batch)
        {
            loss = Sum(loss, r.Loss);
            if (r.AuxLoss is not null) aux = Sum(aux, r.AuxLoss);
            if (r.Extra is not null)
            {
                extra ??= [];
                foreach (var (k, v) in r.Extra) extra[k] = Sum(extra.GetValueOrDefault(k), v);
            }
            MicroBatches++;
            tokens += (long)batch.Rows * batch.Length;
            usefulTokens += batch.UsefulTokens;
        }

        static Tensor Sum(Tensor? total, Tensor value)
        {
            if (total is null) return value;
            var sum = (total + value).DetachFromDisposeScope();
            total.Dispose();
            value.Dispose();
            return sum;
        }

        /// <summary>The step's means as device scalars (the caller owns them) and its token counts; starts the next step.</summary>
        public (Tensor Loss, Tensor? Aux, Dictionary<string, Tensor>? Extra, long Tokens, long UsefulTokens) TakeMeans()
        {
            Tensor Mean(Tensor sum) => (sum / MicroBatches).DetachFromDisposeScope();
            var result = (Mean(loss!), aux is null ? null : Mean(aux), extra?.ToDictionary(kv => kv.Key, kv => Mean(kv.Value)), tokens, usefulTokens);
            Clear();
            return result;
        }

        public void Clear()
        {
            loss?.Dispose();
            aux?.Dispose();
            foreach (var t in extra?.Values ?? Enumerable.Empty<Tensor>()) t.Dispose();
            loss = aux = null;
            extra = null;
            MicroBatches = 0;
            tokens = usefulTokens = 0;
        }
    }
}
