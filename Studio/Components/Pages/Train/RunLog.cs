using MiniMind.Engine.Training;

namespace MiniMind.Studio.Components.Pages.Train;

/// <summary>
/// The live view's log: lifecycle lines (queued, preparing, running, saved, the end) and step lines, in the order they
/// happened, at most <see cref="Capacity"/> lines. Steps come in batches and lifecycle changes at once, so the last steps
/// of a finished run can arrive after its end line: they go before the end lines. A continued run's lines follow
/// everything shown.
/// </summary>
public sealed class RunLog
{
    public const int Capacity = 200;

    /// <summary>Step lines shown of the history a view opens on.</summary>
    public const int HistoryShown = 20;

    readonly List<string> lines = [];
    int lifecycleSeen; // lines of the service's lifecycle log already shown
    int endingLines; // the end lines at the bottom: steps delivered after them happened before them

    public IReadOnlyList<string> Lines => lines;

    /// <summary>
    /// The log of a run as a view opens it: its lifecycle lines and last steps in the order they happened, how it ended.
    /// <paramref name="lifecycleSteps"/> gives, for each lifecycle line, the step the run had reached when it was written: a
    /// line goes after the steps up to it (a checkpoint save after its own step's line); without them, or for -1, a line
    /// goes before the steps. <paramref name="finished"/> says the run is over (one of an earlier process ends in its stored message).
    /// </summary>
    public void Open(IReadOnlyList<string> lifecycle, IReadOnlyList<StepMetrics> history, bool finished, IReadOnlyList<long>? lifecycleSteps = null)
    {
        var ending = lifecycle.Reverse().TakeWhile(IsEndLine).Count();
        if (ending == 0 && finished && lifecycle.Count > 0) ending = 1;
        lines.Clear();
        var shown = history.TakeLast(HistoryShown).ToList();
        var next = 0;
        for (var i = 0; i < lifecycle.Count - ending; i++)
        {
            var at = Math.Max(lifecycleSteps is not null && i < lifecycleSteps.Count ? lifecycleSteps[i] : -1, SavedStep(lifecycle[i]));
            while (next < shown.Count && shown[next].Step <= at) lines.Add(Line(shown[next++]));
            lines.Add(lifecycle[i]);
        }
        lines.AddRange(shown.Skip(next).Select(Line));
        lines.AddRange(lifecycle.Skip(lifecycle.Count - ending));
        lifecycleSeen = lifecycle.Count;
        endingLines = ending;
        Trim();
    }

    /// <summary>
    /// The lifecycle log read again (it may be ahead of the notification that prompted it): its new lines are added, each
    /// saying itself whether it is an end (later steps go before it) or not (what comes next follows it).
    /// </summary>
    public void Lifecycle(IReadOnlyList<string> lifecycle)
    {
        foreach (var line in lifecycle.Skip(lifecycleSeen))
        {
            lines.Add(line);
            endingLines = IsEndLine(line) ? endingLines + 1 : 0;
        }
        lifecycleSeen = Math.Max(lifecycleSeen, lifecycle.Count);
        Trim();
    }

    /// <summary>
    /// New steps (the caller keeps only those not shown yet), before any end lines, and before the "checkpoint saved" lines
    /// of their own step or later (a save is reported at once, its step's line comes with the next batch of steps).
    /// </summary>
    public void Steps(IEnumerable<StepMetrics> steps)
    {
        foreach (var m in steps)
        {
            var at = lines.Count - endingLines;
            while (at > 0 && SavedStep(lines[at - 1]) >= m.Step) at--;
            lines.Insert(at, Line(m));
        }
        Trim();
    }

    /// <summary>The step a "checkpoint saved: … (step N)" line names, or -1 for any other line.</summary>
    public static long SavedStep(string line)
    {
        if (!line.Contains("checkpoint saved: ", StringComparison.Ordinal) || !line.EndsWith(')')) return -1;
        var open = line.LastIndexOf("(step ", StringComparison.Ordinal);
        return open >= 0 && long.TryParse(line.AsSpan(open + 6, line.Length - open - 7), out var step) ? step : -1;
    }

    void Trim()
    {
        if (lines.Count > Capacity) lines.RemoveRange(0, lines.Count - Capacity);
        endingLines = Math.Min(endingLines, lines.Count);
    }

    /// <summary>"… completed", "… failed: …", "… cancelled": a line that ends a run.</summary>
    public static bool IsEndLine(string line) =>
        line.Split(' ', 3) is [_, var word, ..] && Enum.TryParse<RunStatus>(word.TrimEnd(':'), ignoreCase: true, out var status) && status.IsFinished();

    public static string Line(StepMetrics m) =>
        $"step {m.Step}/{m.TotalSteps} loss {m.Loss:F4}{(m.AuxLoss != 0 ? $" aux {m.AuxLoss:F4}" : "")}{Extras(m)} lr {m.LearningRate:G3} grad {m.GradNorm:F3} {m.TokensPerSecond:F0} tok/s";

    static string Extras(StepMetrics m) => m.Extra is null ? "" : string.Concat(m.Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $" {kv.Key} {kv.Value:G4}"));
}
