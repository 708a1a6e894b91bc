namespace MiniMind.Engine.Training;

/// <summary>Lets a caller pause a run between optimizer steps and resume it (the run holds no lock while paused).</summary>
public sealed class PauseGate : IDisposable
{
    readonly ManualResetEventSlim open = new(true);

    public bool IsPaused => !open.IsSet;

    public void Pause() => open.Reset();

    public void Resume() => open.Set();

    /// <summary>Blocks while paused; returns at once when cancelled.</summary>
    public void WaitWhilePaused(CancellationToken cancel)
    {
        try { open.Wait(cancel); }
        catch (OperationCanceledException) { }
    }

    public void Dispose() => open.Dispose();
}
