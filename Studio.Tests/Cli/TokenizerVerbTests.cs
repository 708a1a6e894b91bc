using System.Text.Json;
using MiniMind.Engine.Tokenization;
using MiniMind.Studio.Cli;

namespace MiniMind.Studio.Tests.Cli;

/// <summary>tokenize, detokenize, chat-template and train-tokenizer as other tools call them.</summary>
public sealed class TokenizerVerbTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-tokcli-").FullName;
    readonly string tokenizer = Repo.Fixture("seed-tokenizer");

    public void Dispose() => Directory.Delete(dir, recursive: true);


    static JsonElement Cases(string file) => JsonDocument.Parse(File.ReadAllText(Repo.Fixture("seed-tokenizer", file))).RootElement.GetProperty("cases");

    [Fact]
    public async Task Tokenize_Text_PrintsTheReferenceIds()
    {
        foreach (var c in Cases("encodings.json").EnumerateArray().Where(c => c.GetProperty("text").GetString()!.Length > 0))
        {
            var (code, output, _) = await Cli.Run("tokenize", "--tokenizer", tokenizer, "--text", c.GetProperty("text").GetString()!);

            Assert.Equal(0, code);
            var ids = JsonDocument.Parse(output).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32());
            Assert.Equal(c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()), ids);
        }
    }

    [Fact]
    public async Task Tokenize_Input_PrintsOneLinePerRecordInOrder()
    {
        var texts = Cases("encodings.json").EnumerateArray().Select(c => c.GetProperty("text").GetString()!).ToList();
        var input = Path.Combine(dir, "in.jsonl");
        File.WriteAllLines(input, texts.Select(t => JsonSerializer.Serialize(new { text = t })));

        var (code, output, _) = await Cli.Run("tokenize", "--tokenizer", tokenizer, "--input", input);

        Assert.Equal(0, code);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(texts.Count, lines.Length);
        var expected = Cases("encodings.json").EnumerateArray().Select(c => string.Join(",", c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32())));
        Assert.Equal(expected, lines.Select(l => string.Join(",", JsonDocument.Parse(l).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()))));
    }

    [Fact]
    public async Task Tokenize_BadInputLine_NamesFileAndLine()
    {
        var input = Path.Combine(dir, "bad.jsonl");
        File.WriteAllLines(input, ["{\"text\": \"ok\"}", "{\"txt\": 1}"]);

        var (code, _, err) = await Cli.Run("tokenize", "--tokenizer", tokenizer, "--input", input);

        Assert.Equal(1, code);
        Assert.Contains("bad.jsonl:2", err);
    }

    [Fact]
    public async Task Detokenize_KeepsSpecialTokens_UnlessAskedNotTo()
    {
        var (code, output, _) = await Cli.Run("detokenize", "--tokenizer", tokenizer, "--ids", "[1, 85, 736, 201, 2]");
        var (_, skipped, _) = await Cli.Run("detokenize", "--tokenizer", tokenizer, "--ids", "[1, 85, 736, 201, 2]", "--skip-special-tokens");

        Assert.Equal(0, code);
        Assert.Equal("<s>system\n</s>", JsonDocument.Parse(output).RootElement.GetProperty("text").GetString());
        Assert.Equal("system\n", JsonDocument.Parse(skipped).RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task ChatTemplate_PrintsExactlyTheReferenceRendering()
    {
        foreach (var c in Cases("chat_template.json").EnumerateArray())
        {
            var messages = Path.Combine(dir, "messages.json");
            File.WriteAllText(messages, c.GetProperty("messages").GetRawText());
            var args = new List<string> { "chat-template", "--tokenizer", tokenizer, "--messages", messages };
            if (c.GetProperty("add_generation_prompt").GetBoolean()) args.Add("--add-generation-prompt");

            var (code, output, _) = await Cli.Run([.. args]);

            Assert.Equal(0, code);
            Assert.Equal(c.GetProperty("text").GetString(), output);
        }
    }

    [Fact]
    public async Task TrainTokenizer_WritesATokenizerThatLoadsAndRoundTrips()
    {
        var data = Path.Combine(dir, "corpus.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 200).Select(i => JsonSerializer.Serialize(new { text = $"小明今年{i % 17}岁。Alice has {i} apples and {i % 5} pears." })));
        var output = Path.Combine(dir, "tok");

        var (code, stdout, _) = await Cli.Run("train-tokenizer", "--data", data, "--vocab-size", "400", "--out", output);

        Assert.Equal(0, code);
        Assert.Contains("vocabulary", stdout);
        var tok = ByteLevelBpeTokenizer.Load(output);
        Assert.Equal((0, 1, 2), (tok.UnkId, tok.BosId, tok.EosId));
        var sample = "小明今年3岁。Alice has 12 apples.";
        Assert.Equal(sample, tok.Decode(tok.Encode(sample)));
        Assert.True(tok.Encode(sample).Length < System.Text.Encoding.UTF8.GetByteCount(sample) / 2, "merges should compress the training text");
    }
}
