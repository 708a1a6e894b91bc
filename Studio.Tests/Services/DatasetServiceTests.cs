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

        await service.Search(path, "alice", limit: 4, (line, _) => matches.Add(line), (done, _, _) => scanned = done, CancellationToken.None);

        Assert.Equal([3L, 6, 9, 12], matches);
        Assert.Equal(12, scanned);
    }
}
