using MiniMind.Engine.Data;
using Parquet;
using Parquet.Schema;

namespace MiniMind.Engine.Tests.Data;

/// <summary>Parquet datasets read, validate, analyse and train exactly like the equivalent jsonl.</summary>
public sealed class ParquetDatasetTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    static List<Dictionary<string, object?>> PretrainRows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Dictionary<string, object?> { ["text"] = $"Document {i}: " + string.Join(" ", Enumerable.Repeat($"w{i}", i % 7 + 1)) })];

    static List<Dictionary<string, object?>> SftRows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Dictionary<string, object?>
        {
            ["conversations"] = i % 3 == 0
                ? new List<Dictionary<string, object?>> { ParquetData.Turn("system", "Be brief."), ParquetData.Turn("user", $"What is {i}+1?"), ParquetData.Turn("assistant", $"{i + 1}.") }
                : new List<Dictionary<string, object?>>
                {
                    ParquetData.Turn("user", $"Hello {i}"), ParquetData.Turn("assistant", $"Hi, I am number {i}.", i % 2 == 0 ? "a greeting" : null),
                    ParquetData.Turn("user", "And you?"), ParquetData.Turn("assistant", "Fine, thanks."),
                },
        })];

    static List<Dictionary<string, object?>> DpoRows(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Dictionary<string, object?>
        {
            ["chosen"] = new List<Dictionary<string, object?>> { ParquetData.Turn("user", $"Where is town {i}?"), ParquetData.Turn("assistant", $"Town {i} is by the river.") },
            ["rejected"] = new List<Dictionary<string, object?>> { ParquetData.Turn("user", $"Where is town {i}?"), ParquetData.Turn("assistant", "Go away.") },
        })];

    static DataRecord? Parse(DatasetFile file, long record, DatasetKind kind) =>
        RecordParser.Parse(file.ReadBytes(record), kind, file.Path, record + 1, out _);

    [Fact]
    public void PretrainParquet_GivesEveryRowAsTheSameRecordAsJsonl_AcrossRowGroups()
    {
        var rows = PretrainRows(25);
        var parquet = ParquetData.Write(data.Dir, "pre.parquet", ParquetData.Pretrain, rows, rowGroupSize: 4);
        var jsonl = ParquetData.WriteJsonl(data.Dir, "pre.jsonl", rows);

        using var file = Assert.IsType<ParquetFile>(DatasetFile.Open(parquet));
        using var lines = DatasetFile.Open(jsonl);

        Assert.Equal(7, file.RowGroupCount);
        Assert.Equal(25, file.Count);
        Assert.Equal("row", file.RecordNoun);
        Assert.Equal(DatasetKind.Pretrain, DatasetFormat.Detect(file));
        // out of order, so row groups are decoded again after leaving the cache
        foreach (var i in new long[] { 24, 0, 13, 5, 24, 3, 12 })
        {
            Assert.Equal(Parse(lines, i, DatasetKind.Pretrain), Parse(file, i, DatasetKind.Pretrain));
        }
        Assert.Equal(new PretrainRecord("Document 13: w13 w13 w13 w13 w13 w13 w13"), Parse(file, 13, DatasetKind.Pretrain));
        Assert.Equal("{\"text\":\"Document 0: w0\"}", file.ReadLine(0));
    }

    [Fact]
    public void StreamingRead_ReturnsOneRowGroupAtATime()
    {
        var parquet = ParquetData.Write(data.Dir, "pre.parquet", ParquetData.Pretrain, PretrainRows(10), rowGroupSize: 4);
        using var file = DatasetFile.Open(parquet);

        Assert.Equal(4, file.ReadBlock(0, default).Length);
        Assert.Equal(2, file.ReadBlock(6, default).Length); // the rest of the second group
        Assert.Equal(2, file.ReadBlock(8, default).Length);
        Assert.Equal(0.8, file.FractionBefore(8));
    }

    [Fact]
    public void SftParquet_WithNestedConversations_ReadsSystemTurnsAndReasoningContent()
    {
        var rows = SftRows(9);
        var parquet = ParquetData.Write(data.Dir, "sft.parquet", ParquetData.Sft, rows, rowGroupSize: 4);
        var jsonl = ParquetData.WriteJsonl(data.Dir, "sft.jsonl", rows);
        using var file = DatasetFile.Open(parquet);
        using var lines = DatasetFile.Open(jsonl);

        Assert.Equal(DatasetKind.Sft, DatasetFormat.Detect(file));
        Assert.Equal(
            new ChatMessage[] { new("system", "Be brief."), new("user", "What is 3+1?"), new("assistant", "4.") },
            ((ConversationRecord)Parse(file, 3, DatasetKind.Sft)!).Messages);
        Assert.Equal(
            new ChatMessage[] { new("user", "Hello 4"), new("assistant", "Hi, I am number 4.", "a greeting"), new("user", "And you?"), new("assistant", "Fine, thanks.") },
            ((ConversationRecord)Parse(file, 4, DatasetKind.Sft)!).Messages);
        for (long i = 0; i < file.Count; i++)
        {
            Assert.Equal(((ConversationRecord)Parse(lines, i, DatasetKind.Sft)!).Messages, ((ConversationRecord)Parse(file, i, DatasetKind.Sft)!).Messages);
        }
    }

    [Fact]
    public void ReasoningParquet_IsDetectedFromThinkAnswerTags()
    {
        List<Dictionary<string, object?>> rows =
        [
            new() { ["conversations"] = new List<Dictionary<string, object?>> { ParquetData.Turn("user", "2+2?"), ParquetData.Turn("assistant", "<think>add</think><answer>4</answer>") } },
        ];
        var parquet = ParquetData.Write(data.Dir, "reason.parquet", ParquetData.Sft, rows);

        Assert.Equal(DatasetKind.Reasoning, DatasetFormat.Detect(parquet));
    }

    [Fact]
    public void DpoParquet_IsDetected_AndGivesBothConversations()
    {
        var parquet = ParquetData.Write(data.Dir, "dpo.parquet", ParquetData.Dpo, DpoRows(5), rowGroupSize: 2);
        using var file = DatasetFile.Open(parquet);

        Assert.Equal(DatasetKind.Dpo, DatasetFormat.Detect(file));
        var pair = (PreferenceRecord)Parse(file, 4, DatasetKind.Dpo)!;
        Assert.Equal(new ChatMessage[] { new("user", "Where is town 4?"), new("assistant", "Town 4 is by the river.") }, pair.Chosen);
        Assert.Equal(new ChatMessage[] { new("user", "Where is town 4?"), new("assistant", "Go away.") }, pair.Rejected);
    }

    [Theory]
    [InlineData(DatasetKind.Pretrain, false)]
    [InlineData(DatasetKind.Pretrain, true)]
    [InlineData(DatasetKind.Sft, false)]
    [InlineData(DatasetKind.Dpo, false)]
    public void TrainingFromParquet_GivesTheSameBatchesAsFromTheEquivalentJsonl(DatasetKind kind, bool packed)
    {
        var (schema, rows) = kind switch
        {
            DatasetKind.Pretrain => (ParquetData.Pretrain, PretrainRows(30)),
            DatasetKind.Sft => (ParquetData.Sft, SftRows(30)),
            _ => (ParquetData.Dpo, DpoRows(30)),
        };
        var parquet = ParquetData.Write(data.Dir, "data.parquet", schema, rows, rowGroupSize: 7);
        var jsonl = ParquetData.WriteJsonl(data.Dir, "data.jsonl", rows);

        using var fromParquet = DataLoader.Open(parquet, kind, TempData.SeedTokenizer, 48, 4, seed: 11, packed: packed);
        using var fromJsonl = DataLoader.Open(jsonl, kind, TempData.SeedTokenizer, 48, 4, seed: 11, packed: packed);
        var a = fromParquet.Batches().Take(20).ToList();
        var b = fromJsonl.Batches().Take(20).ToList();

        Assert.Equal(fromJsonl.Examples, fromParquet.Examples);
        Assert.Equal(30, fromParquet.Skipped.Records);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(b[i].Batch.Inputs, a[i].Batch.Inputs);
            Assert.Equal(b[i].Batch.Targets, a[i].Batch.Targets);
            Assert.Equal(b[i].Batch.LossMask, a[i].Batch.LossMask);
            Assert.Equal(b[i].Next, a[i].Next);
        }
    }

    [Fact]
    public void SecondOpen_ReusesTheTokenCacheOfTheParquetFile()
    {
        var parquet = ParquetData.Write(data.Dir, "pre.parquet", ParquetData.Pretrain, PretrainRows(12), rowGroupSize: 5);

        using (var first = DataLoader.Open(parquet, DatasetKind.Pretrain, TempData.SeedTokenizer, 32, 4, seed: 1)) Assert.False(first.FromCache);
        using var second = DataLoader.Open(parquet, DatasetKind.Pretrain, TempData.SeedTokenizer, 32, 4, seed: 1);

        Assert.True(second.FromCache);
        Assert.True(File.Exists(Path.Combine(data.Dir, ".cache", $"pre.parquet.pretrain.{TokenizerFingerprint.Of(TempData.SeedTokenizer)}.tok")));
    }

    [Fact]
    public void Statistics_OfParquet_EqualThoseOfTheEquivalentJsonl()
    {
        var rows = SftRows(20);
        var parquet = ParquetData.Write(data.Dir, "sft.parquet", ParquetData.Sft, rows, rowGroupSize: 6);
        var jsonl = ParquetData.WriteJsonl(data.Dir, "sft.jsonl", rows);

        var fromParquet = DatasetAnalyzer.Analyze(parquet, tokenizer: TempData.SeedTokenizer, maxSeqLen: 24);
        var fromJsonl = DatasetAnalyzer.Analyze(jsonl, tokenizer: TempData.SeedTokenizer, maxSeqLen: 24);

        Assert.Equal(DatasetKind.Sft, fromParquet.Kind);
        Assert.Equal((20L, 20L, 0L), (fromParquet.Records.Lines, fromParquet.Records.Records, fromParquet.Records.Bad));
        Assert.Equal(fromJsonl.Tokens, fromParquet.Tokens);
        Assert.Equal(fromJsonl.Characters, fromParquet.Characters);
        Assert.Equal(fromJsonl.LengthHistogram, fromParquet.LengthHistogram);
        Assert.Equal(fromJsonl.Truncated, fromParquet.Truncated);
        Assert.Equal(fromJsonl.TurnsHistogram, fromParquet.TurnsHistogram);
        Assert.Equal(new SortedDictionary<string, long> { ["assistant"] = 33, ["system"] = 7, ["user"] = 33 }, fromParquet.RoleCounts);
    }

    [Fact]
    public async Task Validation_OfAWrongColumnType_NamesFileRowAndField()
    {
        var path = Path.Combine(data.Dir, "numbers.parquet");
        var schema = new ParquetSchema(new DataField<int>("text"));
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, stream);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<int>(schema.DataFields[0], new[] { 1, 2 }.AsMemory());
        }
        var problems = new List<DataProblem>();

        var result = DatasetAnalyzer.Validate(path, DatasetKind.Pretrain, problems.Add);

        Assert.Equal((2L, 0L, 2L), (result.Lines, result.Records, result.Bad));
        Assert.Equal(new DataProblem(path, 2, "text", "expected a string, found a number"), problems[1]);
        Assert.Equal($"{path}:2: text: expected a string, found a number", problems[1].ToString());
    }

    [Fact]
    public void Validation_OfNulls_NamesTheNullFieldAndKeepsTheGoodRows()
    {
        List<Dictionary<string, object?>> rows =
        [
            new() { ["conversations"] = new List<Dictionary<string, object?>> { ParquetData.Turn("user", "hi"), ParquetData.Turn("assistant", "hello") } },
            new() { ["conversations"] = new List<Dictionary<string, object?>> { ParquetData.Turn("user", "hi"), ParquetData.Turn("assistant", null) } },
            new() { ["conversations"] = null },
            new() { ["conversations"] = new List<Dictionary<string, object?>> { ParquetData.Turn("assistant", "first") } },
            new() { ["conversations"] = new List<Dictionary<string, object?>>() },
        ];
        var path = ParquetData.Write(data.Dir, "bad.parquet", ParquetData.Sft, rows, rowGroupSize: 2);
        var problems = new List<DataProblem>();

        var result = DatasetAnalyzer.Validate(path, null, problems.Add);

        Assert.Equal((5L, 1L, 4L), (result.Lines, result.Records, result.Bad));
        Assert.Equal(
            [
                new DataProblem(path, 2, "conversations[1].content", "expected a string, found null"),
                new DataProblem(path, 3, "conversations", "expected an array of messages, found null"),
                new DataProblem(path, 4, "conversations[0].role", "roles out of order: expected user, found assistant"),
                new DataProblem(path, 5, "conversations", "empty conversation"),
            ],
            problems);
    }

    [Fact]
    public void Validation_OfANullText_SaysNullNotMissing()
    {
        List<Dictionary<string, object?>> rows = [new() { ["text"] = "fine" }, new() { ["text"] = null }];
        var path = ParquetData.Write(data.Dir, "pre.parquet", ParquetData.Pretrain, rows);
        var problems = new List<DataProblem>();

        DatasetAnalyzer.Validate(path, DatasetKind.Pretrain, problems.Add);

        Assert.Equal(new DataProblem(path, 2, "text", "expected a string, found null"), Assert.Single(problems));
    }

    [Fact]
    public void ConversationsOfPlainStrings_AreReportedPerTurn()
    {
        var path = Path.Combine(data.Dir, "strings.parquet");
        var schema = new ParquetSchema(new ListField("conversations", new DataField<string>("element")));
        ParquetData.Write(data.Dir, "strings.parquet", schema, [new() { ["conversations"] = new List<ReadOnlyMemory<char>?> { "hi".AsMemory(), "hello".AsMemory() } }]);
        var problems = new List<DataProblem>();

        DatasetAnalyzer.Validate(path, DatasetKind.Sft, problems.Add);

        Assert.Equal(new DataProblem(path, 1, "conversations[0]", "expected a message object, found a string"), Assert.Single(problems));
    }

    [Fact]
    public void ADamagedParquetFile_IsOneErrorNamingTheFile()
    {
        var path = Path.Combine(data.Dir, "broken.parquet");
        File.WriteAllBytes(path, [.. "PAR1"u8, .. new byte[64]]);

        var error = Assert.Throws<InvalidDataException>(() => DatasetFile.Open(path));

        Assert.StartsWith($"{path}: not a readable Parquet file", error.Message);
    }
}
