using System.Text.Json;

using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Tokenization;
/// <summary>Paths of the copied reference fixtures (see Fixtures/README.md for their origin).</summary>
static class TestFiles
{
    public static string FixtureDir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "reference", "seed-tokenizer");

    public static string SeedTokenizerJson => Path.Combine(FixtureDir, "tokenizer.json");

    public static ByteLevelBpeTokenizer LoadSeed() => ByteLevelBpeTokenizer.Load(FixtureDir);

    public static IEnumerable<(string Text, int[] Ids, string Decoded)> EncodingCases()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDir, "encodings.json")));
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            yield return (
                c.GetProperty("text").GetString()!,
                c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                c.GetProperty("decoded").GetString()!);
        }
    }

    /// <summary>A fresh temporary directory, deleted by the caller's using.</summary>
    public static TempDir NewTempDir() => new();

    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("tok-test-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
