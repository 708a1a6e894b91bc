using MiniMind.Engine.Model;

namespace MiniMind.Engine.Generation;

/// <summary>
/// Autoregressive decoding on token ids (the engine knows nothing of tokenization here): a
/// <see cref="DecodingSession"/> run to its end, rows of any lengths in one batch.
/// </summary>
public static class TokenGenerator
{
    /// <summary>Yields each step's new ids (one per row) as they come; stops when every row has produced eos or the budget is spent.</summary>
    public static IEnumerable<long[]> Stream(MiniMindModel model, GenerationRequest request, CancellationToken cancel = default)
    {
        using var session = new DecodingSession(model, request.Prompts, request.MaxNewTokens, request.Sampling);
        while (session.TryStep(cancel, out var ids))
        {
            var copy = (long[])ids.Clone(); // the caller may keep it; the session reuses its buffer
            if (request.EosId is long eos && !request.IgnoreEos)
                for (int r = 0; r < copy.Length; r++)
                    if (copy[r] == eos) session.Finish(r);
            yield return copy;
        }
    }

    /// <summary>Generates and collects each row's new tokens (a row stops after its eos, which is kept).</summary>
    public static List<long>[] Generate(MiniMindModel model, GenerationRequest request, CancellationToken cancel = default)
    {
        var result = request.Prompts.Select(_ => new List<long>()).ToArray();
        var done = new bool[result.Length];
        foreach (var ids in Stream(model, request, cancel))
        {
            for (int r = 0; r < ids.Length; r++)
            {
                if (done[r]) continue;
                result[r].Add(ids[r]);
                done[r] = request.EosId is long eos && !request.IgnoreEos && ids[r] == eos;
            }
        }
        return result;
    }
}
