using MiniMind.Engine.Data;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Services;

/// <summary>What the Datasets pages read through the service: records by index with their problems, and search.</summary>
public sealed class DatasetServiceTests : IDisposable
{
    readonly StudioFolders folders = new();

    public void Dispose() => folders.Dispose();

    string Write(params string[] lines)
    {
        var path = Path.Combine(folders.OutDir, "mixed.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public async Task AnOpenedFile_ReadsEachLineAsARecordOrItsProblem()
    {
        var path = Write("{\"text\": \"Alice lives in Mossford.\"}", "{\"text\": 3}");
        var service = new DatasetService(new TokenizerCache(folders.Paths));
        var entry = new DatasetCatalog(folders.Paths, folders.Options).Describe(path);

        using var file = await service.OpenAsync(entry, DatasetKind.Pretrain, CancellationToken.None);

        Assert.Equal(2, file.Count);
        Assert.Equal(new PretrainRecord("Alice lives in Mossford."), file.Read(0).Record);
        var bad = file.Read(1);
        Assert.Null(bad.Record);
        Assert.Equal((2L, "text"), (bad.Line, bad.Problem!.Field));
        Assert.Equal("{\"text\": 3}", bad.Raw);
    }

    [Fact]
    public void TheDemoBenchmarks_AreListedAsEvaluationFiles_PromptFilesAsPrompts_NotAsUnknown()
    {
        var entries = new DatasetCatalog(folders.Paths, folders.Options).List().ToDictionary(e => Path.GetFileName(e.Path));

        foreach (var name in new[] { "eval_demo.jsonl", "eval_preference.jsonl", "eval_identity.jsonl", "eval_reasoning.jsonl", "eval_grpo.jsonl" })
        {
            Assert.Equal("evaluation", entries[name].Label);
            Assert.Contains("Evaluate page", entries[name].Problem);
        }
        Assert.Equal("prompts", entries["grpo_demo.jsonl"].Label);
        Assert.Equal("sft", entries["sft_demo.jsonl"].Label);
        var unknown = Path.Combine(folders.OutDir, "odd.jsonl");
        File.WriteAllLines(unknown, ["{\"foo\": 1}"]);
        Assert.Equal("unknown format", new DatasetCatalog(folders.Paths, folders.Options).Describe(unknown).Label);
    }

    [Fact]
    public async Task Search_FindsLinesInAnyCase_UpToTheLimit_AndReportsItsProgress()
    {
        var path = Write([.. Enumerable.Range(1, 30).Select(i => $"{{\"text\": \"record {i} about {(i % 3 == 0 ? "ALICE" : "bob")}\"}}")]);
        var service = new DatasetService(new TokenizerCache(folders.Paths));
        var matches = new List<long>();
        long scanned = 0;

        await service.Search(path, "alice", limit: 4, hit => matches.Add(hit.Line), (done, _, _) => scanned = done, CancellationToken.None);

        Assert.Equal([3L, 6, 9, 12], matches);
        Assert.Equal(12, scanned);
    }

    [Fact]
    public async Task Search_ReadsTheRecordsText_NotItsJson_AndSplitsEachHitAtTheMatch()
    {
        var path = Write(
            "{\"conversations\": [{\"role\": \"user\", \"content\": \"Where does Alice live?\"}, {\"role\": \"assistant\", \"content\": \"In Mossford.\"}]}",
            "{\"text\": \"\\u82cf\\u5dde is a city\"}", // escaped Chinese: 苏州
            "not json at all, mossford anyway");
        var service = new DatasetService(new TokenizerCache(folders.Paths));
        async Task<List<SearchHit>> Find(string text)
        {
            var hits = new List<SearchHit>();
            await service.Search(path, text, 10, hits.Add, (_, _, _) => { }, CancellationToken.None);
            return hits;
        }

        Assert.Empty(await Find("role")); // a key, in every line's JSON
        Assert.Empty(await Find("content"));
        var mossford = await Find("MOSSFORD");
        Assert.Equal([1L, 3], mossford.Select(h => h.Line));
        Assert.Equal([new SearchPiece("Where does Alice live? ⏎ In ", false), new SearchPiece("Mossford", true), new SearchPiece(".", false)], mossford[0].Pieces);
        Assert.Equal(1, mossford[0].Occurrences);
        Assert.Equal(2, Assert.Single(await Find("苏州")).Line); // found through the escapes
    }

    [Fact]
    public async Task Search_MarksEveryMatchOfARecord_AndCountsThem()
    {
        var path = Write("""{"text": "Alice met alice at ALICE's house"}""", """{"text": "no one"}""");
        var service = new DatasetService(new TokenizerCache(folders.Paths));
        var hits = new List<SearchHit>();

        await service.Search(path, "alice", 10, hits.Add, (_, _, _) => { }, CancellationToken.None);

        var hit = Assert.Single(hits);
        Assert.Equal(3, hit.Occurrences);
        Assert.Equal(["Alice", "alice", "ALICE"], hit.Pieces.Where(p => p.IsMatch).Select(p => p.Text));
        Assert.Equal("Alice met alice at ALICE's house", string.Concat(hit.Pieces.Select(p => p.Text)));
    }
}
