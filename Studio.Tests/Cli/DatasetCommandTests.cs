using System.Text.Json;
using MiniMind.Studio.Cli;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace MiniMind.Studio.Tests.Cli;

/// <summary>The dataset verbs as a user and other tools call them.</summary>
public sealed class DatasetCommandTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-dataset-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);


    string Write(string name, params string[] lines)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    [Fact]
    public async Task Validate_ListsEachBadLine_AndFailsOnlyBeyondMaxErrors()
    {
        var path = Write("sft.jsonl",
            "{\"conversations\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]}",
            "{\"conversations\": [{\"role\": \"assistant\", \"content\": \"hello\"}]}",
            "{\"conversations\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"\"}]}");

        var (strict, output, _) = await Cli.Run("dataset", "validate", path);
        var (lenient, _, _) = await Cli.Run("dataset", "validate", path, "--max-errors", "2");

        Assert.Equal(DatasetCommand.TooManyErrors, strict);
        Assert.Equal(0, lenient);
        Assert.Contains($"{path}:2: conversations[0].role: roles out of order: expected user, found assistant", output);
        Assert.Contains($"{path}:3: conversations[1].content: empty assistant turn", output);
        Assert.Contains("3 lines, 1 valid, 2 bad", output);
    }

    [Fact]
    public async Task Stats_PrintsJsonWithTokensAndTruncation()
    {
        var path = Write("pre.jsonl", "{\"text\": \"a short one\"}", "{\"text\": \"" + string.Join(" ", Enumerable.Repeat("word", 50)) + "\"}");

        var (code, output, _) = await Cli.Run("dataset", "stats", path, "--tokenizer", Repo.Fixture("seed-tokenizer"), "--max-seq-len", "32");

        Assert.Equal(0, code);
        var stats = JsonDocument.Parse(output).RootElement;
        Assert.Equal("pretrain", stats.GetProperty("kind").GetString());
        Assert.Equal(2, stats.GetProperty("records").GetProperty("records").GetInt64());
        Assert.Equal(1, stats.GetProperty("truncated").GetInt64());
        Assert.Equal(0.5, stats.GetProperty("truncation_rate").GetDouble());
        Assert.True(stats.GetProperty("tokens").GetInt64() > 50);
    }

    /// <summary>An SFT parquet file the way HuggingFace datasets writes it: conversations, a list of {role, content} structs.</summary>
    async Task<string> WriteSftParquet(string name, params (string Role, string? Content)[][] conversations)
    {
        var path = Path.Combine(dir, name);
        var schema = new ParquetSchema(new ListField("conversations", new StructField("element", new DataField<string>("role"), new DataField<string>("content"))));
        var rows = conversations.Select(c => (IDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["conversations"] = c.Select(t => new Dictionary<string, object?> { ["role"] = t.Role, ["content"] = t.Content }).ToList(),
        }).ToList();
        await using var stream = File.Create(path);
        await ParquetSerializer.SerializeUntypedAsync(rows, schema, stream, new ParquetOptions { RowGroupSize = 2 });
        return path;
    }

    [Fact]
    public async Task Validate_OnParquet_ListsEachBadRowWithItsField()
    {
        var path = await WriteSftParquet("sft.parquet",
            [("user", "hi"), ("assistant", "hello")],
            [("user", "hi"), ("assistant", "hello")],
            [("user", "hi"), ("assistant", null)],
            [("user", "hi")]);

        var (code, output, _) = await Cli.Run("dataset", "validate", path);

        Assert.Equal(DatasetCommand.TooManyErrors, code);
        Assert.Contains($"{path}:3: conversations[1].content: expected a string, found null", output);
        Assert.Contains($"{path}:4: conversations: the conversation ends with a user turn, not an assistant turn", output);
        Assert.Contains("4 rows, 2 valid, 2 bad", output);
    }

    [Fact]
    public async Task Stats_OnParquet_DetectsTheKindAndCountsTurns()
    {
        var path = await WriteSftParquet("chat.parquet",
            [("user", "hi"), ("assistant", "hello")],
            [("system", "be kind"), ("user", "a"), ("assistant", "b"), ("user", "c"), ("assistant", "d")],
            [("user", "x"), ("assistant", "y")]);

        var (code, output, _) = await Cli.Run("dataset", "stats", path);

        Assert.Equal(0, code);
        var stats = JsonDocument.Parse(output).RootElement;
        Assert.Equal("sft", stats.GetProperty("kind").GetString());
        Assert.Equal(3, stats.GetProperty("records").GetProperty("records").GetInt64());
        Assert.Equal(2 + 5 + 7 + 4 + 2, stats.GetProperty("characters").GetInt64());
        Assert.Equal(2, stats.GetProperty("turns_histogram").GetProperty("2").GetInt64());
        Assert.Equal(1, stats.GetProperty("role_counts").GetProperty("system").GetInt64());
    }

    [Fact]
    public async Task Stats_OnAMissingFile_IsOneReadableError()
    {
        var (code, _, error) = await Cli.Run("dataset", "stats", Path.Combine(dir, "nope.jsonl"));

        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains("nope.jsonl", error);
    }

    [Fact]
    public async Task GenerateDemo_WritesTheDatasetsAndTheTokenizer()
    {
        var output = Path.Combine(dir, "demo");

        var (code, printed, _) = await Cli.Run("dataset", "generate-demo", "--out", output);

        Assert.Equal(0, code);
        Assert.Contains("sft_demo.jsonl", printed);
        foreach (var name in new[] { "pretrain_demo.jsonl", "sft_demo.jsonl", "dpo_demo.jsonl", "reason_demo.jsonl", "lora_identity.jsonl", "eval_demo.jsonl", "tokenizer/tokenizer.json" })
        {
            Assert.True(File.Exists(Path.Combine(output, name)), name);
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(Repo.Root, "dataset", "sft_demo.jsonl")), File.ReadAllBytes(Path.Combine(output, "sft_demo.jsonl")));
    }
}
