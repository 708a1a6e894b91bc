using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Data;

/// <summary>A temporary folder for one test's jsonl files (and their .cache/), deleted afterwards; plus the seed tokenizer.</summary>
public sealed class TempData : IDisposable
{
    static readonly Lazy<ByteLevelBpeTokenizer> Seed = new(() => ByteLevelBpeTokenizer.Load(Fixture.Path("seed-tokenizer")));

    public string Dir { get; } = Directory.CreateTempSubdirectory("minimind-data-").FullName;

    /// <summary>MiniMind2's own tokenizer (6400 tokens, its chat template), from the reference fixtures.</summary>
    public static ByteLevelBpeTokenizer SeedTokenizer => Seed.Value;

    public string Write(string name, params string[] lines)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
