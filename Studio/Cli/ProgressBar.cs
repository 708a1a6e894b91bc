namespace MiniMind.Studio.Cli;

/// <summary>A one-line text progress bar redrawn in place (at most ten times a second).</summary>
public sealed class ProgressBar(TextWriter writer, int width = 30)
{
    DateTime lastDraw = DateTime.MinValue;
    bool drawn;
    string lastLabel = "";
    int lastLength;

    public void Report(string label, long done, long total, string? suffix = null)
    {
        lastLabel = label;
        var now = DateTime.UtcNow;
        if (done < total && (now - lastDraw).TotalMilliseconds < 100) return;
        lastDraw = now;
        double fraction = total > 0 ? Math.Clamp((double)done / total, 0, 1) : 0;
        int filled = (int)Math.Round(fraction * width);
        var line = $"[{new string('#', filled)}{new string(' ', width - filled)}] {fraction,4:P0} {label}{(suffix is null ? "" : " " + suffix)}   ";
        writer.Write("\r" + line);
        writer.Flush();
        drawn = true;
        lastLength = line.Length;
    }

    /// <summary>A line of text (a run's log message) on a line of its own: the bar's line is cleared first and the bar drawn again at the next report.</summary>
    public void Message(string text)
    {
        if (drawn) writer.Write("\r" + new string(' ', lastLength) + "\r");
        writer.WriteLine(text);
        writer.Flush();
        drawn = false;
        lastDraw = DateTime.MinValue;
    }

    public void Done()
    {
        if (!drawn) return;
        writer.WriteLine($"\r[{new string('#', width)}] 100 % {lastLabel}   ");
        drawn = false;
    }
}
