using MiniMind.Engine.Data;

namespace MiniMind.Engine.Tests.Data;

/// <summary>The line-offset index: direct record access, line endings, and its cache beside the file.</summary>
public sealed class LineIndexTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public void Records_AreReadDirectly_WithoutTheirLineEndings()
    {
        var path = Path.Combine(data.Dir, "a.jsonl");
        File.WriteAllText(path, "{\"text\":\"one\"}\r\n\n{\"text\":\"三\"}\n{\"text\":\"four, no newline\"}");

        using var file = JsonlFile.Open(path);

        Assert.Equal(4, file.Count);
        Assert.Equal("{\"text\":\"four, no newline\"}", file.ReadLine(3));
        Assert.Equal("{\"text\":\"三\"}", file.ReadLine(2));
        Assert.Equal("", file.ReadLine(1));
        Assert.Equal("{\"text\":\"one\"}", file.ReadLine(0));
    }

    [Fact]
    public void Index_IsCachedBesideTheFile_AndReused()
    {
        var path = data.Write("b.jsonl", "{\"text\":\"x\"}", "{\"text\":\"y\"}");

        using (var first = LineIndex.Open(path)) Assert.False(first.FromCache);
        using var second = LineIndex.Open(path);

        Assert.True(second.FromCache);
        Assert.Equal(Path.Combine(data.Dir, ".cache", "b.jsonl.idx"), second.CachePath);
        Assert.Equal(2, second.LineCount);
    }

    [Fact]
    public void Index_IsRebuilt_WhenTheFileChanges()
    {
        var path = data.Write("c.jsonl", "{\"text\":\"x\"}");
        using (LineIndex.Open(path)) { }

        File.AppendAllText(path, "{\"text\":\"added\"}\n");
        using var index = LineIndex.Open(path);

        Assert.False(index.FromCache);
        Assert.Equal(2, index.LineCount);
    }

    [Fact]
    public void Index_IsRebuilt_WhenOnlyTheModificationTimeChanges()
    {
        var path = data.Write("d.jsonl", "{\"text\":\"x\"}");
        using (LineIndex.Open(path)) { }

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(5));
        using var index = LineIndex.Open(path);

        Assert.False(index.FromCache);
    }
}
