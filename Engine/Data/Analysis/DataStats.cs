namespace MiniMind.Engine.Data;

/// <summary>
/// What a pass over a file kept and skipped: <see cref="Lines"/> (jsonl lines or parquet rows) = <see cref="Records"/> (usable) + <see cref="Blank"/> + <see cref="Bad"/>.
/// <see cref="FirstProblems"/> holds the first few bad records, each naming file, line and field.
/// </summary>
public sealed record DataStats(long Lines, long Records, long Blank, long Bad, IReadOnlyList<DataProblem> FirstProblems)
{
    /// <summary>How many problems are kept for reporting (the counts are always complete).</summary>
    public const int ProblemsKept = 20;

    /// <summary>Bad records as a share of non-blank lines.</summary>
    public double BadShare => Records + Bad == 0 ? 0 : (double)Bad / (Records + Bad);
}
