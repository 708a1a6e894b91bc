namespace MiniMind.Engine.Data;

/// <summary>
/// SFT targets as the newest MiniMind computes them: a token is a target from the first token after each
/// assistant-start marker through the end of the following turn-end marker inclusive (so the model learns to close
/// its turn); everything else is <see cref="Ignore"/>. The sequence is truncated, then padded, then labelled.
/// </summary>
public static class SftLabels
{
    /// <summary>The label of a position that is not a target (PyTorch's cross-entropy ignore index).</summary>
    public const int Ignore = -100;

    /// <summary>Truncates <paramref name="tokens"/> to <paramref name="maxLength"/>, pads with <paramref name="padId"/> and labels the result.</summary>
    public static (int[] InputIds, int[] Labels) Build(ReadOnlySpan<int> tokens, ChatMarkers markers, int maxLength, int padId)
    {
        var ids = new int[maxLength];
        var kept = Math.Min(tokens.Length, maxLength);
        tokens[..kept].CopyTo(ids);
        ids.AsSpan(kept).Fill(padId);
        var labels = new int[maxLength];
        Label(ids, markers, labels);
        return (ids, labels);
    }

    /// <summary>Writes the labels of <paramref name="ids"/> (already truncated and padded) into <paramref name="labels"/>.</summary>
    public static void Label(ReadOnlySpan<int> ids, ChatMarkers markers, Span<int> labels)
    {
        labels.Fill(Ignore);
        ReadOnlySpan<int> start = markers.AssistantStart, end = markers.TurnEnd;
        var i = 0;
        while (i < ids.Length)
        {
            if (!ids[i..].StartsWith(start))
            {
                i++;
                continue;
            }
            var first = i + start.Length;
            var close = first;
            while (close < ids.Length && !ids[close..].StartsWith(end)) close++;
            // A turn cut off by truncation has no end marker: it is a target up to the cut.
            var last = Math.Min(close + end.Length, ids.Length);
            for (var j = first; j < last; j++) labels[j] = ids[j];
            i = close < ids.Length ? close + end.Length : ids.Length;
        }
    }
}
