using MiniMind.Engine.Evaluation;

namespace MiniMind.Engine.Tests.Evaluation;

/// <summary>The perplexity evaluator reads its documents as training reads a pretraining file.</summary>
public sealed class PerplexityDocumentsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-ppl-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void AJsonlFile_GivesItsTexts_AfterABom_SkippingBlankLines()
    {
        var path = Path.Combine(dir, "held_out.jsonl");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "{\"text\": \"one\"}\n\n{\"text\": \"两\"}\r\n"u8]);

        Assert.Equal(["one", "两"], PerplexityEvaluator.ReadDocuments(path));
    }

    [Theory]
    [InlineData("{\"text\": 3}", "text")]
    [InlineData("{\"text\": \"a\\ud800\"}", "not valid Unicode")]
    [InlineData("not json", "malformed JSON")]
    public void ABadRecord_FailsNamingTheFileAndLine(string bad, string problem)
    {
        var path = Path.Combine(dir, "held_out.jsonl");
        File.WriteAllText(path, "{\"text\": \"fine\"}\n" + bad + "\n");

        var error = Assert.Throws<InvalidDataException>(() => PerplexityEvaluator.ReadDocuments(path));

        Assert.StartsWith($"{path}:2: ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void APlainTextFile_IsSplitOnBlankLines()
    {
        var path = Path.Combine(dir, "notes.txt");
        File.WriteAllText(path, "first paragraph\nstill first\n\nsecond\n");

        Assert.Equal(["first paragraph\nstill first", "second"], PerplexityEvaluator.ReadDocuments(path));
    }
}
