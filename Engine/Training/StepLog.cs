using System.Diagnostics;
using MiniMind.Engine.Data;
using static TorchSharp.torch;

namespace MiniMind.Engine.Training;

/// <summary>
/// The trainer's deferred metrics: optimizer steps whose figures (loss, aux loss, gradient norm, the objective's extras)
/// are still on the device, read back together in one transfer when <see cref="Flush"/> is called (every sync_every steps,
/// so a GPU never waits for the host in between), then written to metrics.jsonl and reported. Times and speeds are
/// shared out over the steps of a block; elapsed time carries on across resumes.
/// </summary>
sealed class StepLog(TrainerSetup setup, long total, long startStep, double elapsedBefore, Action<StepMetrics>? onStep) : IDisposable
{
    /// <summary>The first step whose loss or gradient norm was not finite.</summary>
    public sealed record NonFinite(long Step, double Loss, double GradNorm);

    readonly List<Trainer.PendingStep> pending = [];
    readonly Stopwatch clock = Stopwatch.StartNew(), blockClock = Stopwatch.StartNew();

    public int Count => pending.Count;

    /// <summary>Seconds of training so far, those of the attempts before a resume included.</summary>
    public double Elapsed => elapsedBefore + clock.Elapsed.TotalSeconds;

    /// <summary>Where the data stood after the last reported step: what a stop saves.</summary>
    public LoaderCursor? Cursor { get; private set; }

    public void Add(Trainer.PendingStep step) => pending.Add(step);

    /// <summary>
    /// Runs <paramref name="wait"/> (a pause) with the clocks stopped: a paused run's time is neither training time (the
    /// elapsed figure, the ETA) nor part of the next step's speed.
    /// </summary>
    public void WithoutClock(Action wait)
    {
        clock.Stop();
        blockClock.Stop();
        try
        {
            wait();
        }
        finally
        {
            clock.Start();
            blockClock.Start();
        }
    }

    /// <summary>Reports the pending steps; stops at one whose loss or gradient norm is not finite and returns it (null when all are).</summary>
    public NonFinite? Flush()
    {
        if (pending.Count == 0) return null;
        try
        {
            float[] values;
            using (var scope = NewDisposeScope())
                values = stack(pending.SelectMany(p => p.Scalars()).Select(t => t.to(ScalarType.Float32)).ToList()).cpu().data<float>().ToArray();
            double perStep = blockClock.Elapsed.TotalSeconds / pending.Count;
            blockClock.Restart();
            double elapsedNow = Elapsed;
            int at = 0;
            for (int i = 0; i < pending.Count; i++)
            {
                var p = pending[i];
                double loss = values[at++], gradNorm = values[at++], aux = p.Aux is null ? 0 : values[at++];
                var extra = p.Extra?.Keys.ToDictionary(k => k, _ => (double)values[at++]);
                if (!double.IsFinite(loss) || !double.IsFinite(gradNorm)) return new NonFinite(p.Step, loss, gradNorm);
                double elapsed = elapsedNow - (pending.Count - 1 - i) * perStep;
                var metrics = new StepMetrics
                {
                    RunId = setup.Run.Id, Step = p.Step, TotalSteps = total, Epoch = p.Cursor.Epoch,
                    Loss = loss, AuxLoss = aux, LearningRate = p.LearningRate, GradNorm = gradNorm,
                    TokensPerSecond = p.Tokens / perStep, UsefulTokensPerSecond = p.UsefulTokens / perStep,
                    ElapsedSeconds = elapsed, EtaSeconds = (elapsed - elapsedBefore) / (p.Step - startStep) * (total - p.Step),
                    MemoryMegabytes = Environment.WorkingSet / 1e6, Extra = extra,
                };
                setup.Run.AppendMetrics(metrics);
                Cursor = p.Cursor;
                onStep?.Invoke(metrics);
            }
            return null;
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var p in pending) p.Dispose();
        pending.Clear();
    }
}
