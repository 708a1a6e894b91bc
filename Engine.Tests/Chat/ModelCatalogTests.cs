using MiniMind.Engine.Chat;
using MiniMind.Engine.Data;

namespace MiniMind.Engine.Tests.Chat;

/// <summary>The catalog lists what an out/ folder can serve and keeps a bounded set of models loaded.</summary>
public sealed class ModelCatalogTests : IDisposable
{
    readonly ChatOutFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void List_HoldsCheckpointsAndAdaptersWithTheirBase_AndSkipsFilesWithoutSidecar()
    {
        using var catalog = new ModelCatalog(new ModelCatalogOptions { OutDir = folder.Dir });

        var entries = catalog.List();

        Assert.Equal(["lora/identity", "tiny"], entries.Select(e => e.Id));
        Assert.Equal(folder.BasePath, entries[0].WeightsPath);
        Assert.Equal(folder.AdapterPath, entries[0].AdapterPath);
        Assert.True(entries[0].IsAdapter);
        Assert.False(entries[1].IsAdapter);
        Assert.Equal("sft", entries[1].Info.Stage);
    }

    [Fact]
    public async Task GetAsync_LoadsOnce_AndReturnsTheCachedModel()
    {
        using var catalog = new ModelCatalog(new ModelCatalogOptions { OutDir = folder.Dir });

        var together = await Task.WhenAll(catalog.GetAsync("tiny"), catalog.GetAsync("tiny.safetensors"));

        Assert.Same(together[0], together[1]);
        Assert.Same(together[0], await catalog.GetAsync("tiny"));
        Assert.Equal("tiny", together[0].Name);
    }

    [Fact]
    public async Task BeyondCapacity_TheLeastRecentlyUsedIsEvicted()
    {
        File.Copy(folder.BasePath, Path.Combine(folder.Dir, "copy.safetensors"));
        File.Copy(Path.ChangeExtension(folder.BasePath, ".json"), Path.Combine(folder.Dir, "copy.json"));
        using var catalog = new ModelCatalog(new ModelCatalogOptions { OutDir = folder.Dir, Capacity = 2 });

        var tiny = await catalog.GetAsync("tiny");
        var copy = await catalog.GetAsync("copy");
        await catalog.GetAsync("tiny");            // tiny is now the most recent
        await catalog.GetAsync("lora/identity");   // so copy goes

        Assert.Equal(["lora/identity", "tiny"], catalog.LoadedIds());
        Assert.Same(tiny, await catalog.GetAsync("tiny"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => copy.CompleteAsync([ChatMessage.User("hi")], new ChatOptions { MaxTokens = 2 }));
    }

    [Fact]
    public async Task EvictedModel_IsDisposed()
    {
        using var catalog = new ModelCatalog(new ModelCatalogOptions { OutDir = folder.Dir, Capacity = 1 });

        var first = await catalog.GetAsync("tiny");
        await catalog.GetAsync("lora/identity");

        await Assert.ThrowsAsync<ObjectDisposedException>(() => first.CompleteAsync([ChatMessage.User("hi")], new ChatOptions { MaxTokens = 2 }));
        Assert.Equal(["lora/identity"], catalog.LoadedIds());
    }

    [Fact]
    public async Task UnknownId_IsKeyNotFound()
    {
        using var catalog = new ModelCatalog(new ModelCatalogOptions { OutDir = folder.Dir });

        await Assert.ThrowsAsync<KeyNotFoundException>(() => catalog.GetAsync("nope"));
    }

    [Fact]
    public async Task CheckpointRewrittenOnDisk_IsReloadedOnItsNextUse()
    {
        using var catalog = new ModelCatalog(new ModelCatalogOptions { OutDir = folder.Dir });
        var before = await catalog.GetAsync("tiny");

        File.SetLastWriteTimeUtc(folder.BasePath, DateTime.UtcNow.AddMinutes(1)); // as a training save would
        var after = await catalog.GetAsync("tiny");

        Assert.NotSame(before, after);
    }
}
