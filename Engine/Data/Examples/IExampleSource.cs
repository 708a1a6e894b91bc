namespace MiniMind.Engine.Data;

/// <summary>
/// Training examples built on demand from a <see cref="TokenCache"/>: example i gives <see cref="RowsPerExample"/>
/// rows of ids (truncated and padded to the sequence length) with their labels (<see cref="SftLabels.Ignore"/> where not a target).
/// </summary>
interface IExampleSource
{
    long Count { get; }

    /// <summary>1, or 2 for DPO (chosen, then rejected).</summary>
    int RowsPerExample { get; }

    /// <summary>Fills row <paramref name="row"/> of example <paramref name="example"/>; both spans have the sequence length.</summary>
    void Fill(long example, int row, Span<int> ids, Span<int> labels);
}
