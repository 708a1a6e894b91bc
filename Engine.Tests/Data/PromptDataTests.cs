using MiniMind.Engine.Data;
using MiniMind.Engine.Tokenization;
using MiniMind.Engine.Training;

namespace MiniMind.Engine.Tests.Data;

public sealed class PromptDataTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    static readonly ByteLevelBpeTokenizer Tokenizer = ByteLevelBpeTokenizer.Load(Fixture.Path("seed-tokenizer"));

    [Fact]
    public void PromptRecords_ReadThePromptQuestionOrMessagesForms()
    {
        var path = data.Write("prompts.jsonl",
            """{"prompt": "What is 2 plus 2?", "answer": "4"}""",
            "",
            """{"question": "Where does Alice live?", "answer": "Mossford"}""",
            """{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a pet."}], "answer": "cat"}""");

        var records = PromptRecord.Read(path);

        Assert.Equal(["What is 2 plus 2?", "Where does Alice live?", "Name a pet."], records.Select(r => r.Question));
        Assert.Equal([1, 3, 4], records.Select(r => r.Line));
        Assert.Equal(["system", "user"], records[2].Messages.Select(m => m.Role));
        Assert.Equal("cat", records[2].Answer);
    }

    [Theory]
    [InlineData("""{"prompt": "Hi"}""", "answer: missing field")]
    [InlineData("""{"prompt": "Hi", "answer": " "}""", "answer: empty answer")]
    [InlineData("""{"answer": "4"}""", "prompt: missing field")]
    [InlineData("""{"prompt": 3, "answer": "4"}""", "prompt: expected a string, found a number")]
    [InlineData("""{"messages": [{"role": "system", "content": "Hi"}], "answer": "4"}""", "messages: must end with a user message")]
    [InlineData("""{"messages": [{"role": "bot", "content": "Hi"}], "answer": "4"}""", "messages[0].role: unknown role 'bot'")]
    [InlineData("""{"conversations": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}], "gt": ["a", [1]]}""", "gt[1]: expected a string or a number, found an array")]
    [InlineData("""{"conversations": [{"role": "system", "content": "s", "tools": "[{\"name\": "}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}], "gt": ["a"]}""", "conversations[0].tools: not valid JSON")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{"prompt": "Hi", """, "malformed JSON")]
    public void ABadRecord_IsRefused_NamingTheFileLineAndField(string bad, string expected)
    {
        var path = data.Write("prompts.jsonl", """{"prompt": "fine", "answer": "yes"}""", bad);

        var error = Assert.Throws<InvalidDataException>(() => PromptRecord.Read(path));

        Assert.Contains("prompts.jsonl:2:", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void PromptData_RendersTheChatTemplate_AndLeavesOutPromptsLongerThanMaxSeqLen()
    {
        var path = data.Write("prompts.jsonl",
            """{"prompt": "Hi", "answer": "a"}""",
            $$"""{"prompt": "{{string.Join(" ", Enumerable.Repeat("word", 200))}}", "answer": "b"}""",
            """{"prompt": "Bye", "answer": "c"}""");

        var prompts = PromptData.Open(path, Tokenizer, 96, 2, 1, 1, 1, null, failOnLong: false);

        Assert.Equal(2, prompts.Count);
        Assert.Equal([2], prompts.SkippedLines);
        var first = prompts.Batches().First().Batch;
        Assert.NotNull(first.Prompts);
        var rendered = Tokenizer.Decode(first.Prompts!.Items[0].Ids.Select(i => (int)i));
        Assert.EndsWith("<s>assistant\n", rendered); // the generation prompt: the model answers next
        Assert.Contains("prompts.jsonl:2:", Assert.Throws<InvalidDataException>(() => PromptData.Open(path, Tokenizer, 96, 2, 1, 1, 1, null, failOnLong: true)).Message);
    }

    /// <summary>
    /// The current original's RL data (minimind-3): <c>rlaif.jsonl</c> records are SFT conversations whose last (assistant)
    /// turn its RLAIFDataset drops, with no reference; <c>agent_rl.jsonl</c> records add tools in the system turn and the
    /// facts the answer must hold (<c>gt</c>). Both are prompt files: detected as such, read with what checks them.
    /// </summary>
    [Fact]
    public void TheCurrentOriginalsRlaifAndAgentRlRecords_ReadAsPrompts()
    {
        var rlaif = data.Write("rlaif.jsonl",
            """{"conversations": [{"role": "user", "content": "讲个笑话"}, {"role": "assistant", "content": ""}]}""",
            """{"conversations": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! (the SFT answer, dropped as the original drops it)"}]}""",
            """{"conversations": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Why?"}, {"role": "assistant", "content": " "}]}""");
        var agent = data.Write("agent_rl.jsonl",
            """{"conversations": [{"role": "system", "content": "Be brief.", "tools": "[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"parameters\": {\"type\": \"object\"}}}]"}, {"role": "user", "content": "北京天气怎么样？"}, {"role": "assistant", "content": ""}], "gt": ["28°C", 42]}""");

        var open = PromptRecord.Read(rlaif);
        var agentic = PromptRecord.Read(agent).Single();

        Assert.Equal(DatasetKind.Prompts, DatasetFormat.Detect(rlaif));
        Assert.Equal(DatasetKind.Prompts, DatasetFormat.Detect(agent));
        Assert.Equal(["user", "user", "system user"], open.Select(r => string.Join(" ", r.Messages.Select(m => m.Role))));
        Assert.All(open, r => Assert.False(r.HasReference));
        Assert.Equal(["讲个笑话", "Hi", "Why?"], open.Select(r => r.Question));
        Assert.Equal(["system", "user"], agentic.Messages.Select(m => m.Role));
        Assert.Contains("get_weather", agentic.Messages[0].Tools);
        Assert.Equal(["28°C", "42"], agentic.Facts);
        Assert.True(agentic.HasReference);
    }

    /// <summary>A prompt whose system turn offers tools renders them as the original's template does (Jinja2 golden, add_generation_prompt).</summary>
    [Fact]
    public void APromptWithTools_RendersTheToolsAsTheOriginalsTemplate()
    {
        var golden = Fixture.Json("minimind3", "chat_template.json").GetProperty("cases")[3];
        var tools = golden.GetProperty("tools").GetRawText();
        var messages = golden.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!, Tools: m.GetProperty("role").GetString() == "system" ? tools : null))
            .ToList();
        var builder = new MiniMind.Engine.Chat.ChatPromptBuilder(ByteLevelBpeTokenizer.Load(Fixture.Path("minimind3", "tokenizer")));

        var prompt = builder.Build(messages, 4096);

        Assert.Equal(golden.GetProperty("text").GetString(), prompt.Text);
    }

    static PromptExample Example(int i) => new([i + 1, i + 2], $"q{i}", $"a{i}");

    [Fact]
    public void Passes_DeliverEachGroupOfAccumulatedBatchesOncePerPass_WithTheSamePromptList()
    {
        var prompts = new PromptData(Enumerable.Range(0, 8).Select(Example).ToList(), batchSize: 2, seed: 3, passes: 2, accumulation: 2);

        var epoch = prompts.Batches().Take(8).ToList();

        Assert.Equal(8, prompts.BatchesPerEpoch);
        Assert.Equal([0, 0, 1, 1, 0, 0, 1, 1], epoch.Select(d => d.Batch.Prompts!.Pass));
        Assert.Same(epoch[0].Batch.Prompts!.Items, epoch[2].Batch.Prompts!.Items); // pass 2 of the group's first batch
        Assert.Same(epoch[1].Batch.Prompts!.Items, epoch[3].Batch.Prompts!.Items);
        Assert.NotSame(epoch[0].Batch.Prompts!.Items, epoch[1].Batch.Prompts!.Items);
        Assert.Equal([true, true, false, false], epoch.Take(4).Select(d => d.Batch.Prompts!.MoreToCome));
        Assert.Equal(8, epoch.SelectMany(d => d.Batch.Prompts!.Items).Select(p => p.Question).Distinct().Count()); // every prompt, in each of its passes
        Assert.Equal(new LoaderCursor(1, 0, 3), epoch[^1].Next);
    }

    [Fact]
    public void AResumedCursor_ContinuesWithTheSameDeliveries()
    {
        var examples = Enumerable.Range(0, 7).Select(Example).ToList();
        var straight = new PromptData(examples, 2, seed: 5, passes: 2).Batches().Take(12).ToList();

        var resumed = new PromptData(examples, 2, seed: 5, passes: 2, resumeFrom: straight[4].Next).Batches().Take(7).ToList();

        Assert.Equal(straight.Skip(5).Select(Questions), resumed.Select(Questions));
        Assert.Equal(straight.Skip(5).Select(d => d.Batch.Prompts!.Pass), resumed.Select(d => d.Batch.Prompts!.Pass));
    }

    static string Questions((TokenBatch Batch, LoaderCursor Next) d) => string.Join(",", d.Batch.Prompts!.Items.Select(p => p.Question));
}
