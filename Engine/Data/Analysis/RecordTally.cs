namespace MiniMind.Engine.Data;

/// <summary>
/// The line counts every scan of a dataset reports (lines, records, blank, bad, the first problems), kept as the
/// scan goes: caching, statistics and validation count the same way.
/// </summary>
public sealed class RecordTally
{
    long lines, records, blank, bad;
    readonly List<DataProblem> problems = [];

    /// <summary>Bad lines so far.</summary>
    public long Bad => bad;

    /// <summary>Counts one scanned line; true when it holds a record to use (neither bad nor blank).</summary>
    public bool Add<T>(RecordScanner.Item<T> item, Action<DataProblem>? onProblem = null)
    {
        lines++;
        if (item.Problem is { } problem)
        {
            bad++;
            if (problems.Count < DataStats.ProblemsKept) problems.Add(problem);
            onProblem?.Invoke(problem);
            return false;
        }
        if (item.Record is null || item.Value is null)
        {
            blank++;
            return false;
        }
        records++;
        return true;
    }

    public DataStats ToStats() => new(lines, records, blank, bad, problems);
}
