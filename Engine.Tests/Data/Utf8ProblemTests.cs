using System.Text;
using MiniMind.Engine.Data;

namespace MiniMind.Engine.Tests.Data;

/// <summary>Bytes that are not UTF-8, and a byte order mark, in a jsonl: findings and accepted records, never a crash.</summary>
public sealed class Utf8ProblemTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    string WriteWithBadBytes()
    {
        var path = Path.Combine(data.Dir, "mixed.jsonl");
        using var stream = File.Create(path);
        stream.Write([0xEF, 0xBB, 0xBF]); // a byte order mark before the first record
        stream.Write(Encoding.UTF8.GetBytes("{\"text\": \"first record, after a BOM\"}\n"));
        stream.Write(Encoding.UTF8.GetBytes("{\"text\": \"broken "));
        stream.Write([0xC3, 0x28, 0xFF]); // not UTF-8
        stream.Write(Encoding.UTF8.GetBytes(" bytes\"}\n{\"text\": \"third record\"}\n"));
        return path;
    }

    [Theory]
    [InlineData("{\"text\": \"a\\ud800b\"}")]
    [InlineData("{\"text\": \"a\\udc00\"}")]
    [InlineData("{\"conversations\": [{\"role\": \"user\", \"content\": \"\\ud83d\"}, {\"role\": \"assistant\", \"content\": \"x\"}]}")]
    public void ALoneSurrogateEscape_IsAFindingOfItsLine_NotACrash(string record)
    {
        var path = Path.Combine(data.Dir, "surrogate.jsonl");
        File.WriteAllText(path, "{\"text\": \"fine\"}\n" + record + "\n");
        var problems = new List<DataProblem>();

        DatasetAnalyzer.Validate(path, record.Contains("conversations") ? DatasetKind.Sft : DatasetKind.Pretrain, problems.Add);

        var problem = Assert.Single(problems, p => p.Line == 2);
        Assert.Contains("not valid Unicode", problem.Message);
    }

    [Fact]
    public void Validation_NamesTheLineWithInvalidUtf8_AndAcceptsTheBom()
    {
        var path = WriteWithBadBytes();
        var problems = new List<DataProblem>();

        var stats = DatasetAnalyzer.Validate(path, DatasetKind.Pretrain, problems.Add);

        Assert.Equal((2L, 1L), (stats.Records, stats.Bad));
        var problem = Assert.Single(problems);
        Assert.Equal(2, problem.Line);
        Assert.Contains("invalid UTF-8", problem.Message);
        Assert.Equal(DatasetKind.Pretrain, DatasetFormat.Detect(path));
    }

    [Fact]
    public void Statistics_AndTraining_SkipTheBadRecordLikeAnyOther()
    {
        var path = WriteWithBadBytes();

        var statistics = DatasetAnalyzer.Analyze(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 32);
        using var loader = DataLoader.Open(path, DatasetKind.Pretrain, TempData.SeedTokenizer, 32, 2, seed: 1);

        Assert.Equal((2L, 1L), (statistics.Records.Records, statistics.Records.Bad));
        Assert.Equal(1, loader.Skipped.Bad);
        Assert.Equal(1, loader.BatchesPerEpoch); // both good records, in one batch of two
    }
}
