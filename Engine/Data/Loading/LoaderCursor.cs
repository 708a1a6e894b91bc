namespace MiniMind.Engine.Data;

/// <summary>
/// Where a loader is in its data: the next batch to deliver is batch <see cref="BatchInEpoch"/> of epoch
/// <see cref="Epoch"/>, whose order is shuffled with <see cref="Seed"/> + epoch. JSON-serialisable; a resumed run passes it back.
/// </summary>
public sealed record LoaderCursor(int Epoch, long BatchInEpoch, long Seed);
