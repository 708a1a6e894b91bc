namespace MiniMind.Engine.Data;

/// <summary>Where a loader is in its data (JSON-serialisable): a resumed run passes it back.</summary>
public sealed record LoaderCursor(int Epoch, long BatchInEpoch, long Seed);
