using System.Text;

namespace MiniMind.Engine.Chat;

/// <summary>
/// Finds stop strings in streamed text. Text that could still be the start of a stop string is held
/// back until the next piece decides it, so no part of a stop string is ever emitted.
/// </summary>
public sealed class StopSequenceMatcher(IReadOnlyList<string> stops)
{
    readonly StringBuilder held = new();

    /// <summary>True once a stop string was seen; nothing is emitted after it.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds text; returns the text safe to emit now.</summary>
    public string Push(string text)
    {
        if (Stopped) return "";
        if (stops.Count == 0) return text;
        held.Append(text);
        var buffer = held.ToString();
        int first = -1;
        foreach (var stop in stops)
        {
            int at = buffer.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0)
        {
            Stopped = true;
            held.Clear();
            return buffer[..first];
        }
        // keep the longest tail that is a proper prefix of some stop string
        int keep = stops.Max(s => PartialMatch.HeldTail(buffer, s));
        held.Clear().Append(buffer, buffer.Length - keep, keep);
        return buffer[..^keep];
    }

    /// <summary>Ends the stream: held text was not a stop string after all.</summary>
    public string Flush()
    {
        if (Stopped) return "";
        var rest = held.ToString();
        held.Clear();
        return rest;
    }
}
