using System.Text.Json;
using MiniMind.Engine.Data;

namespace MiniMind.Engine.Tests.Data;

/// <summary>Streaming statistics and validation over whole files.</summary>
public sealed class DatasetAnalyzerTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    static string Chat(params string[] turns) => JsonSerializer.Serialize(new
    {
        conversations = turns.Select((t, i) => new { role = i % 2 == 0 ? "user" : "assistant", content = t }),
    });

    [Fact]
    public void Detection_GoesByTheMajority_AndSaysWhenAFileMixesKinds()
    {
        // one pretraining line first, then SFT conversations: an SFT file with a stray line, not a pretraining file
        var mixed = data.Write("mixed.jsonl", ["{\"text\": \"stray\"}", .. Enumerable.Range(0, 10).Select(i => Chat($"q{i}", $"a{i}"))]);
        var plain = data.Write("plain.jsonl", Chat("q", "a"), Chat("r", "b"));

        var detection = DatasetFormat.Probe(mixed);

        Assert.Equal(DatasetKind.Sft, detection.Kind);
        Assert.True(detection.Mixed);
        Assert.Equal("10 sft, 1 pretrain", detection.Describe());
        Assert.False(DatasetFormat.Probe(plain).Mixed);
        Assert.Equal(DatasetKind.Sft, DatasetFormat.Detect(plain));
    }

    [Fact]
    public void Statistics_CountRecordsTurnsRolesAndBadShare()
    {
        var path = data.Write("sft.jsonl", Chat("hi", "hello"), Chat("a", "b", "c", "d"), "{\"conversations\": []}", "", Chat("x", "y"));

        var stats = DatasetAnalyzer.Analyze(path);

        Assert.Equal(DatasetKind.Sft, stats.Kind);
        Assert.Equal((5L, 3L, 1L, 1L), (stats.Records.Lines, stats.Records.Records, stats.Records.Blank, stats.Records.Bad));
        Assert.Equal(0.25, stats.Records.BadShare);
        Assert.Equal(3, stats.Records.FirstProblems[0].Line);
        Assert.Equal("characters", stats.LengthUnit);
        Assert.Equal(2 + 5 + 4 + 2, stats.Characters);
        Assert.Equal(new SortedDictionary<int, long> { [2] = 2, [4] = 1 }, stats.TurnsHistogram);
        Assert.Equal(new SortedDictionary<string, long> { ["assistant"] = 4, ["user"] = 4 }, stats.RoleCounts);
    }

    [Fact]
    public void TokenStatistics_CountTokensHistogramAndTruncation()
    {
        var tokenizer = TempData.SeedTokenizer;
        string[] texts = ["short", "a somewhat longer text with several words in it", string.Join(" ", Enumerable.Repeat("many words", 30))];
        var path = data.Write("pre.jsonl", texts.Select(t => JsonSerializer.Serialize(new { text = t })).ToArray());
        var lengths = texts.Select(t => tokenizer.Encode(t).Length + 2).ToArray(); // bos + text + eos

        var stats = DatasetAnalyzer.Analyze(path, DatasetKind.Pretrain, tokenizer, maxSeqLen: 16);

        Assert.Equal(lengths.Sum(), stats.Tokens);
        Assert.Equal(lengths.Max(), stats.MaxLength);
        Assert.Equal(lengths.Count(l => l > 16), stats.Truncated);
        Assert.Equal(lengths.GroupBy(l => DatasetStatistics.BucketOf(l)).ToDictionary(g => g.Key, g => (long)g.Count()), stats.LengthHistogram);
    }

    [Fact]
    public void Statistics_AreCached_UntilTheFileChanges()
    {
        var path = data.Write("pre.jsonl", "{\"text\": \"one\"}");
        DatasetAnalyzer.Analyze(path);
        var cached = Directory.GetFiles(Path.Combine(data.Dir, ".cache"), "pre.jsonl.stats.*");

        File.AppendAllText(path, "{\"text\": \"two\"}\n");
        var stats = DatasetAnalyzer.Analyze(path);

        Assert.Single(cached);
        Assert.Equal(2, stats.Records.Records);
    }

    [Theory]
    [InlineData(0, 1L)]
    [InlineData(1, 1L)]
    [InlineData(5, 8L)]
    [InlineData(8, 8L)]
    [InlineData(9, 16L)]
    public void LengthBuckets_ArePowersOfTwo(long length, long bucket) => Assert.Equal(length == 0 ? 0 : bucket, DatasetStatistics.BucketOf(length));

    [Fact]
    public void Histograms_ShowTheEmptyBucketsBetween_AsZero()
    {
        var stats = new DatasetStatistics
        {
            File = "f.jsonl", Kind = DatasetKind.Sft, Records = new DataStats(3, 0, 0, 0, []), Sequences = 3, Characters = 0, LengthUnit = "tokens",
            MaxLength = 1000, MeanLength = 400, LengthHistogram = new() { [64] = 2, [1024] = 1 }, TurnsHistogram = new() { [1] = 2, [4] = 1 },
            RoleCounts = new(),
        };

        Assert.Equal([(64L, 2L), (128L, 0L), (256L, 0L), (512L, 0L), (1024L, 1L)], stats.LengthBuckets());
        Assert.Equal([(1, 2L), (2, 0L), (3, 0L), (4, 1L)], stats.TurnBuckets());
        Assert.Equal([(0L, 1L), (1L, 0L), (2L, 4L)], (stats with { LengthHistogram = new() { [0] = 1, [2] = 4 } }).LengthBuckets());
    }

    [Fact]
    public void Validation_ReportsEveryBadLineInOrder_AndCountsBeyondTheLimit()
    {
        var path = data.Write("v.jsonl", "{\"text\": \"ok\"}", "not json", "{\"text\": \"ok\"}", "{\"text\": null}", "{\"text\": \"\"}");
        var seen = new List<DataProblem>();

        var result = DatasetAnalyzer.Validate(path, null, seen.Add, limit: 2);

        Assert.Equal(new long[] { 2, 4 }, seen.Select(p => p.Line));
        Assert.Equal(3, result.Bad);
        Assert.EndsWith("v.jsonl:4: text: expected a string, found null", seen[1].ToString());
    }

    [Fact]
    public void UnknownFormat_IsAClearError()
    {
        var path = data.Write("odd.jsonl", "{\"foo\": 1}");

        var error = Assert.Throws<InvalidDataException>(() => DatasetAnalyzer.Analyze(path));

        Assert.Contains("cannot tell the dataset kind", error.Message);
    }

    [Fact]
    public void AnEvaluationQuiz_IsNamedAsSuch_NotAsAnUnknownFormat()
    {
        var path = data.Write("quiz.jsonl", "{\"question\": \"Where?\", \"answer\": \"Here.\"}\n{\"question\": \"Who?\", \"answer\": \"Me.\"}");

        var error = Assert.Throws<InvalidDataException>(() => DatasetAnalyzer.Analyze(path));

        Assert.Contains("an evaluation file", error.Message);
        Assert.DoesNotContain("cannot tell", error.Message);
    }
}
