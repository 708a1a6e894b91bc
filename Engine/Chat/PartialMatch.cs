namespace MiniMind.Engine.Chat;

/// <summary>Streaming text against a marker (a stop string, a think tag) that may arrive split across deltas.</summary>
static class PartialMatch
{
    /// <summary>
    /// Length of the longest tail of <paramref name="text"/> that is a proper prefix of <paramref name="marker"/>:
    /// what a stream must hold back until the next delta says whether the marker follows.
    /// </summary>
    public static int HeldTail(string text, string marker)
    {
        for (int length = Math.Min(marker.Length - 1, text.Length); length > 0; length--)
            if (marker.AsSpan().StartsWith(text.AsSpan(text.Length - length), StringComparison.Ordinal)) return length;
        return 0;
    }
}
