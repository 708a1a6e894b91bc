using System.Runtime.CompilerServices;
using MiniMind.Engine.Chat;

namespace MiniMind.Studio.Services;

/// <summary>
/// The Chat and Compare pages' answers (the engine's <see cref="ChatDelta"/>s, one choice), from the engine's chat service: the same <see cref="ModelCatalog"/>
/// (bounded cache of loaded models) and <see cref="ChatModel"/> (template, history trimming, streaming,
/// reasoning split, per-model queue) that serve the OpenAI-compatible API, so a page and an API client
/// asking the same question with the same seed get the same answer.
/// </summary>
public sealed class EngineChatBackend(ModelCatalog catalog, StudioPaths paths)
{
    public async IAsyncEnumerable<ChatDelta> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = await catalog.GetAsync(CatalogId(request), cancellationToken);
        // "max new tokens" on a page is a cap, not a reservation (the API's max_tokens is both): the conversation is
        // trimmed to leave the answer at most half the context, and the answer may then use all the room left
        int cap = Math.Min(request.Settings.MaxTokens ?? model.ContextLength - 1, model.ContextLength - 1);
        var prompt = model.BuildPrompt(request.Messages, request.Settings with { MaxTokens = Math.Min(cap, model.ContextLength / 2), N = 1 });
        var options = request.Settings with { MaxTokens = cap, N = 1 };
        var finished = false;
        var stream = model.StreamAsync(prompt, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync()) break;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                finished |= stream.Current.FinishReason is not null;
                yield return stream.Current;
            }
        }
        finally
        {
            await stream.DisposeAsync();
        }
        if (!finished) yield return new ChatDelta(0, "", "", ChatFinishReason.Cancelled);
    }

    /// <summary>
    /// The catalog id of a checkpoint (and adapter) chosen on a page: the adapter's own id when one is chosen,
    /// which the catalog pairs with the base recorded in the adapter's sidecar.
    /// </summary>
    string CatalogId(ChatRequest request)
    {
        var weights = Path.GetFullPath(paths.Resolve(request.Checkpoint));
        var adapter = string.IsNullOrWhiteSpace(request.Adapter) ? null : Path.GetFullPath(paths.Resolve(request.Adapter));
        var entries = catalog.List();
        if (adapter is null)
            return entries.FirstOrDefault(e => !e.IsAdapter && Path.GetFullPath(e.WeightsPath) == weights)?.Id
                   ?? throw new FileNotFoundException($"{paths.Display(weights)} is not a servable checkpoint under {paths.Display(paths.OutDir)} (it needs its .json sidecar).");
        var entry = entries.FirstOrDefault(e => e.IsAdapter && Path.GetFullPath(e.AdapterPath!) == adapter)
                    ?? throw new FileNotFoundException($"{paths.Display(adapter)} is not a LoRA adapter with a base checkpoint under {paths.Display(paths.OutDir)}.");
        if (Path.GetFullPath(entry.WeightsPath) != weights)
            throw new ArgumentException($"The adapter {Path.GetFileName(adapter)} was trained on {paths.Display(entry.WeightsPath)}, not on {paths.Display(weights)}: choose that checkpoint.");
        return entry.Id;
    }
}
