using System.Collections.Concurrent;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Studio.Services;

/// <summary>Loaded tokenizers by folder (reloaded when tokenizer.json changes).</summary>
public sealed class TokenizerCache(StudioPaths paths)
{
    readonly ConcurrentDictionary<string, (DateTime Stamp, ByteLevelBpeTokenizer Tokenizer)> loaded = new();

    public ByteLevelBpeTokenizer Get(string? folder = null)
    {
        var dir = paths.Resolve(string.IsNullOrWhiteSpace(folder) ? paths.Tokenizer : folder);
        var json = Directory.Exists(dir) ? Path.Combine(dir, "tokenizer.json") : dir;
        if (!File.Exists(json)) throw new FileNotFoundException($"No tokenizer.json in {paths.Display(dir)}.", json);
        var stamp = File.GetLastWriteTimeUtc(json);
        if (loaded.TryGetValue(dir, out var entry) && entry.Stamp == stamp) return entry.Tokenizer;
        var tokenizer = ByteLevelBpeTokenizer.Load(dir);
        loaded[dir] = (stamp, tokenizer);
        return tokenizer;
    }
}
