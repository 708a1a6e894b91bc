using MiniMind.Engine.Checkpoints;

namespace MiniMind.Engine.Chat;

/// <summary>
/// The checkpoints and LoRA adapters under an <c>out/</c> folder, loaded on demand into a bounded
/// least-recently-used cache. Thread-safe. A model evicted while it generates is disposed when its
/// generation ends (see <see cref="ChatModel.Dispose"/>); a checkpoint rewritten on disk (training
/// saves over it) is reloaded on its next use.
/// </summary>
public sealed class ModelCatalog : IDisposable
{
    readonly ModelCatalogOptions options;
    readonly object sync = new();
    readonly LinkedList<Loaded> recent = new(); // most recently used first
    bool disposed;

    sealed record Loaded(CatalogEntry Entry, Lazy<Task<ChatModel>> Model);

    public ModelCatalog(ModelCatalogOptions options)
    {
        if (options.Capacity < 1) throw new ArgumentException($"The model cache must hold at least one model; got {options.Capacity}.");
        this.options = options;
    }

    public string OutDir => options.OutDir;

    /// <summary>Every servable model, by id. Reads only sidecars (cheap): the folder is scanned on each call, so new checkpoints appear at once.</summary>
    public IReadOnlyList<CatalogEntry> List()
    {
        var entries = new List<CatalogEntry>();
        foreach (var c in CheckpointDirectory.List(options.OutDir))
        {
            if (c.Info is not { } info) continue; // an unreadable sidecar: not servable
            if (info.Lora is null)
                entries.Add(new CatalogEntry(c.Id, c.Path, null, info, c.ModifiedUtc));
            else if (ModelCheckpoint.BaseOf(c.Path, info) is { } basePath)
                entries.Add(new CatalogEntry(c.Id, basePath, c.Path, info, c.ModifiedUtc));
        }
        return entries.OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>The entry of an id (with or without <c>.safetensors</c>), or null.</summary>
    public CatalogEntry? Find(string id)
    {
        var wanted = id.EndsWith(".safetensors", StringComparison.Ordinal) ? id[..^".safetensors".Length] : id;
        return List().FirstOrDefault(e => e.Id == wanted);
    }

    /// <summary>
    /// The loaded model of an id, loading it (once, however many callers ask together) when it is not
    /// cached. Throws <see cref="KeyNotFoundException"/> for an unknown id.
    /// </summary>
    public async Task<ChatModel> GetAsync(string id, CancellationToken cancel = default)
    {
        var entry = Find(id) ?? throw new KeyNotFoundException($"The model '{id}' does not exist: GET /v1/models (or the catalog) lists those under {options.OutDir}.");
        Loaded loaded;
        List<Loaded> evicted = [];
        lock (sync)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var node = recent.First;
            while (node is not null && node.Value.Entry.Id != entry.Id) node = node.Next;
            if (node is not null && node.Value.Entry.Modified != entry.Modified)
            {
                evicted.Add(node.Value); // rewritten on disk since it was loaded
                recent.Remove(node);
                node = null;
            }
            if (node is null)
            {
                var fresh = new Loaded(entry, new Lazy<Task<ChatModel>>(() => Task.Run(() => ChatModel.Load(entry.WeightsPath, entry.AdapterPath, options.Load with { Name = entry.Id }))));
                node = recent.AddFirst(fresh);
            }
            else
            {
                recent.Remove(node);
                recent.AddFirst(node);
            }
            loaded = node.Value;
            while (recent.Count > options.Capacity)
            {
                evicted.Add(recent.Last!.Value);
                recent.RemoveLast();
            }
        }
        foreach (var old in evicted) _ = DisposeWhenLoaded(old);
        try
        {
            return await loaded.Model.Value.WaitAsync(cancel);
        }
        catch (Exception) when (!cancel.IsCancellationRequested)
        {
            lock (sync) recent.Remove(loaded); // a failed load is not cached: the next call tries again
            throw;
        }
    }

    /// <summary>Ids of the models loaded now, most recently used first.</summary>
    public IReadOnlyList<string> LoadedIds()
    {
        lock (sync)
            return recent.Where(l => l.Model.IsValueCreated && l.Model.Value.IsCompletedSuccessfully).Select(l => l.Entry.Id).ToList();
    }

    static async Task DisposeWhenLoaded(Loaded loaded)
    {
        if (!loaded.Model.IsValueCreated) return;
        try { (await loaded.Model.Value).Dispose(); }
        catch (Exception) { /* a load that failed holds nothing to free */ }
    }

    public void Dispose()
    {
        List<Loaded> all;
        lock (sync)
        {
            disposed = true;
            all = [.. recent];
            recent.Clear();
        }
        foreach (var loaded in all) _ = DisposeWhenLoaded(loaded);
    }
}
