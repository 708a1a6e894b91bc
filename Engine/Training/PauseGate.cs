namespace MiniMind.Engine.Training;

/// <summary>Lets a caller pause a run between optimizer steps and resume it (the run holds no lock while paused).</summary>
public sealed class PauseGate : IDisposable
{
    readonly ManualResetEventSlim open = new(true);

    public bool IsPaused => !open.IsSet;

    public void Pause() => open.Reset();

    public void Resume() => open.Set();

    /// <summary>Called on the run's thread when it actually stops at the gate (a pause takes effect at a step boundary).</summary>
    public Action? Holding { get; set; }

    /// <summary>Blocks while paused; returns at once when cancelled.</summary>
    public void WaitWhilePaused(CancellationToken cancel)
    {
        if (open.IsSet) return;
        Holding?.Invoke();
        try { open.Wait(cancel); }
        catch (OperationCanceledException) { }
    }

    public void Dispose() => open.Dispose();
}
