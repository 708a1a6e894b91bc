using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Tokenization;

public class PieceCacheTests
{
    [Fact]
    public void TryGet_ReturnsWhatWasAdded_AcrossClearsWhenFull()
    {
        var cache = new PieceCache(capacity: 64);
        var random = new Random(5);
        var latest = new Dictionary<string, int[]>();
        for (int n = 0; n < 5000; n++)
        {
            string piece = new string((char)('a' + random.Next(6)), random.Next(1, 12)) + random.Next(40);
            int[] ids = Enumerable.Range(0, random.Next(1, 30)).Select(_ => random.Next(6400)).ToArray();
            if (cache.TryGet(piece, out ReadOnlySpan<int> found))
            {
                Assert.Equal(latest[piece], found.ToArray());
                continue;
            }
            cache.Add(piece, ids);
            latest[piece] = ids;
            Assert.True(cache.TryGet(piece, out found));
            Assert.Equal(ids, found.ToArray());
        }
    }

    [Fact]
    public void LongAndEmptyPieces_AreNotCached()
    {
        var cache = new PieceCache(capacity: 16);
        string longPiece = new('x', 49);
        cache.Add(longPiece, [1, 2]);
        cache.Add("", [3]);
        Assert.False(cache.TryGet(longPiece, out _));
        Assert.False(cache.TryGet("", out _));
        Assert.False(cache.TryGet("x", out _));
    }

    [Fact]
    public void LongCjkPieces_AreNotCached_ShortOnesAre()
    {
        var cache = new PieceCache(capacity: 16);
        cache.Add("你好世界如何拖延", [1]);
        cache.Add("你好", [2]);
        Assert.False(cache.TryGet("你好世界如何拖延", out _));
        Assert.True(cache.TryGet("你好", out ReadOnlySpan<int> ids));
        Assert.Equal([2], ids.ToArray());
    }
}
