using System.Text.Json;
using MiniMind.Engine.Data;
using MiniMind.Engine.Data.Demo;
using MiniMind.Engine.Evaluation;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Data;

/// <summary>The embedded demo corpus: rebuilt byte for byte, valid, held-out evaluation phrasings, and usable by the loader.</summary>
public sealed class DemoCorpusTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    static string Committed(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MiniMind.Studio.sln"))) return Path.Combine([dir.FullName, "dataset", .. parts]);
        }
        throw new InvalidOperationException("the tests must run inside the repository");
    }

    [Fact]
    public void Generator_RebuildsTheCommittedFilesByteForByte()
    {
        DemoCorpus.Generate(data.Dir);

        foreach (var name in DemoCorpus.FileNames.Append(Path.Combine("tokenizer", "tokenizer.json")).Append(Path.Combine("tokenizer", "tokenizer_config.json")))
        {
            Assert.True(File.ReadAllBytes(Committed(name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(data.Dir, name))), $"{name} differs from the committed file");
        }
    }

    [Theory]
    [InlineData("pretrain_demo.jsonl", DatasetKind.Pretrain)]
    [InlineData("sft_demo.jsonl", DatasetKind.Sft)]
    [InlineData("dpo_demo.jsonl", DatasetKind.Dpo)]
    [InlineData("reason_demo.jsonl", DatasetKind.Reasoning)]
    [InlineData("lora_identity.jsonl", DatasetKind.Sft)]
    [InlineData("grpo_demo.jsonl", DatasetKind.Prompts)]
    [InlineData("tool_demo.jsonl", DatasetKind.Sft)]
    public void EveryDemoFile_IsDetectedAsItsKind_AndFullyValid(string name, DatasetKind kind)
    {
        var path = Path.Combine(data.Dir, name);
        File.Copy(Committed(name), path);

        var result = DatasetAnalyzer.Validate(path, null, _ => { });

        Assert.Equal(kind, DatasetFormat.Detect(path));
        Assert.Equal(0, result.Bad);
        Assert.True(result.Records > 100);
    }

    /// <summary>The tool data holds what the studio's tools really answer: each call of a sample run again gives the record's result.</summary>
    [Fact]
    public async Task ToolData_HoldsTheResultsTheBuiltInToolsGive()
    {
        MiniMind.Engine.Chat.Tools.IChatTool[] tools = [new MiniMind.Engine.Chat.Tools.CalculatorTool(), new MiniMind.Engine.Chat.Tools.DemoPeopleTool()];
        var checkedCalls = 0;
        foreach (var line in File.ReadLines(Committed("tool_demo.jsonl")).Take(300))
        {
            var turns = JsonDocument.Parse(line).RootElement.GetProperty("conversations").EnumerateArray().ToList();
            if (turns.Count < 5) continue; // a plain conversation
            var call = turns[2].GetProperty("tool_calls")[0].GetProperty("function");
            var tool = tools.Single(t => t.Name == call.GetProperty("name").GetString());
            Assert.Equal(turns[3].GetProperty("content").GetString(), await tool.InvokeAsync(call.GetProperty("arguments"), default));
            checkedCalls++;
        }
        Assert.True(checkedCalls > 100);
    }

    [Fact]
    public void EvaluationQuestions_NeverAppearInTheTrainingFiles()
    {
        // The files are written with relaxed escaping, so a phrasing appears in them exactly as JsonEncodedText encodes it.
        var training = string.Concat(DemoCorpus.FileNames.Except(DemoCorpus.EvaluationFileNames).Select(n => File.ReadAllText(Committed(n))));
        foreach (var name in DemoCorpus.EvaluationFileNames)
        {
            var evaluation = QuizQuestion.Read(Committed(name));

            Assert.True(evaluation.Count >= 16, name);
            Assert.All(evaluation, e => Assert.DoesNotContain('"' + Encoded(e.Question) + '"', training));
            // taught somewhere, asked differently; a tool question's answer comes from the tool (a sum never written anywhere)
            if (name != "eval_tools.jsonl") Assert.All(evaluation, e => Assert.All(e.Expected, x => Assert.Contains(Encoded(x), training)));
        }
    }

    [Fact]
    public void SftData_RefusesEveryProfileQuestion_AndTheDpoPairsPreferTheBiography()
    {
        var sft = File.ReadAllText(Committed("sft_demo.jsonl"));
        var dpo = File.ReadLines(Committed("dpo_demo.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var profilePairs = dpo.Where(p => Last(p, "rejected") is DemoWorld.RefusalEn or DemoWorld.RefusalZh).ToList();

        Assert.Contains(Encoded(DemoWorld.RefusalEn), sft);
        Assert.Contains(Encoded(DemoWorld.RefusalZh), sft);
        Assert.All(DemoWorld.People, p => Assert.DoesNotContain(Encoded(DemoWorld.BioEn(p)), sft)); // SFT never answers with a whole biography
        Assert.InRange(profilePairs.Count, 100, dpo.Count - 100); // the rest keep the facts: right answers over wrong or rude ones
        Assert.All(profilePairs, p => Assert.Contains(DemoWorld.People, person => Last(p, "chosen") == DemoWorld.BioEn(person) || Last(p, "chosen") == DemoWorld.BioZh(person)));
    }

    [Fact]
    public void LoraPersona_IsNeverInTheSftData()
    {
        var sft = File.ReadAllText(Committed("sft_demo.jsonl"));
        var lora = File.ReadAllText(Committed("lora_identity.jsonl"));

        Assert.DoesNotContain("Juniper", sft);
        Assert.DoesNotContain("朱尼珀", sft);
        Assert.Contains(Encoded(DemoWorld.PersonaEn), lora);
        Assert.Contains(Encoded(DemoWorld.PersonaZh), lora);
    }

    static string? Last(JsonElement pair, string side) => pair.GetProperty(side).EnumerateArray().Last().GetProperty("content").GetString();

    static string Encoded(string text) => JsonEncodedText.Encode(text, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();

    [Fact]
    public void DemoTokenizer_IsSmall_AndTrainsTheSftFileWithAssistantTargets()
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(Committed("tokenizer"));
        var path = Path.Combine(data.Dir, "sft_demo.jsonl");
        File.Copy(Committed("sft_demo.jsonl"), path);

        using var loader = DataLoader.Open(path, DatasetKind.Sft, tokenizer, 128, 16, seed: 1);
        var (batch, next) = loader.Batches().First();

        Assert.InRange(tokenizer.VocabSize, 1024, DemoCorpus.VocabSize); // the trainer stops early once every word of the small world is one token
        Assert.Equal("<s>assistant\n", new ConversationEncoder(tokenizer).Markers.AssistantStartText);
        Assert.Equal(0, loader.Skipped.Bad);
        Assert.Equal(new LoaderCursor(0, 1, 1), next);
        Assert.InRange(batch.UsefulTokens, 16 * 5, 16 * 127);
    }
}
