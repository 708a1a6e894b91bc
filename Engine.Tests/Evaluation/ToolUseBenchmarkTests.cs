using MiniMind.Engine.Evaluation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tests.Data;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Evaluation;

/// <summary>The demo's tool-use benchmark: its file, what counts as a right call, and a model that never calls scoring nothing.</summary>
public sealed class ToolUseBenchmarkTests : IDisposable
{
    readonly TempData data = new();

    public void Dispose() => data.Dispose();

    static string Committed(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MiniMind.Studio.sln"))) return Path.Combine(dir.FullName, "dataset", name);
        throw new InvalidOperationException("the tests must run inside the repository");
    }

    [Fact]
    public void TheDemoFile_IsAToolUseBenchmark_OfSumsAndPeople()
    {
        var items = ToolUseBenchmark.Read(Committed("eval_tools.jsonl"));

        Assert.Equal(EvaluationBenchmarkKind.ToolUse, EvaluationBenchmark.KindOfFile(Committed("eval_tools.jsonl")));
        Assert.Equal(EvaluationBenchmarkKind.Quiz, EvaluationBenchmark.KindOfFile(Committed("eval_demo.jsonl")));
        Assert.Equal(64, items.Count);
        Assert.Equal(["calculate", "get_person"], items.Select(i => i.Tool).Distinct());
    }

    [Theory]
    [InlineData("calculate", """{"expression": "8170 + 4509"}""", """{"expression": "4509+8170"}""", true)]
    [InlineData("calculate", """{"expression": "8170 + 4509"}""", """{"expression": "8170 + 4508"}""", false)]
    [InlineData("calculate", """{"expression": "8170 + 4509"}""", """{"expression": "eight"}""", false)]
    [InlineData("get_person", """{"name": "Alice Brant"}""", """{"name": "alice brant"}""", true)]
    [InlineData("get_person", """{"name": "Alice Brant"}""", """{"name": "Alice"}""", true)]
    [InlineData("get_person", """{"name": "Alice Brant"}""", """{"name": "Nobody"}""", false)]
    [InlineData("get_person", """{"name": "Alice Brant"}""", """{"city": "x"}""", false)]
    public void ARightCall_MeansWhatTheExpectedOneDoes(string tool, string expected, string given, bool same) =>
        Assert.Equal(same, ToolUseBenchmark.SameArguments(tool, given, expected));

    [Fact]
    public void ABadLine_IsNamed()
    {
        var path = data.Write("tools.jsonl", """{"question": "q", "tool": "calculate", "arguments": {}, "answer": "1"}""", """{"question": "q", "tool": "calculate", "answer": "1"}""");

        Assert.Contains("tools.jsonl:2: arguments", Assert.Throws<InvalidDataException>(() => ToolUseBenchmark.Read(path)).Message);
    }

    [Fact]
    public void AModelThatNeverCalls_ScoresNoCalls()
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(Committed("tokenizer"));
        TorchSharp.torch.manual_seed(1);
        using var model = new MiniMindModel(new MiniMindConfig { Dim = 32, NLayers = 1, NHeads = 2, NKvHeads = 1, VocabSize = tokenizer.VocabSize, MaxSeqLen = 256 });

        var (calls, answered, outcomes) = ToolUseBenchmark.Run(model, tokenizer, ToolUseBenchmark.Read(Committed("eval_tools.jsonl")).Take(3));

        Assert.Equal(0, calls);
        Assert.Equal(0, answered);
        Assert.Equal(3, outcomes.Count);
    }
}
