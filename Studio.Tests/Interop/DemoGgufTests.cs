using System.Text.Json;
using MiniMind.Engine.Interop;
using MiniMind.Engine.Interop.Gguf;
using MiniMind.Engine.Tokenization;
using MiniMind.Studio.Tests.Components;

namespace MiniMind.Studio.Tests.Interop;

/// <summary>
/// The demo tokenizer (the one the bundled demo models use) through a GGUF export: llama.cpp's token ids equal the studio's
/// on every string of the bundled demo datasets, training and held-out files alike, in both languages.
/// </summary>
public sealed class DemoGgufTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-demo-gguf-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void LlamaCppTokenizesEveryDemoDatasetStringAsTheStudio()
    {
        var checkpoint = CheckpointFiles.Tiny(dir, "demo_tiny");
        var result = CheckpointExporter.Export(checkpoint, ExportFormat.Gguf, Path.Combine(dir, "gguf"), options: new ExportOptions { Quantization = GgmlType.F32 });
        var tokenizer = ByteLevelBpeTokenizer.Load(CheckpointFiles.DemoTokenizer);
        var strings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "dataset"), "*.jsonl"))
            foreach (var line in File.ReadLines(file).Where(l => l.Trim().Length > 0))
                Collect(JsonDocument.Parse(line).RootElement, strings);

        using var llama = LlamaCppModel.Load(Path.Combine(result.OutputDirectory, "demo_tiny-f32.gguf"));
        var differing = strings.Where(s => !llama.Tokenize(s).SequenceEqual(tokenizer.Encode(s))).Take(5).ToList();

        Assert.True(strings.Count >= 1000, $"{strings.Count} strings");
        Assert.True(differing.Count == 0, $"llama.cpp tokenizes differently: {string.Join(" | ", differing)}");
        Assert.True(result.Check!.PromptTokensEqual, result.Check.Summary);
    }

    static void Collect(JsonElement e, HashSet<string> strings)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String: strings.Add(e.GetString()!); break;
            case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) Collect(p.Value, strings); break;
            case JsonValueKind.Array: foreach (var item in e.EnumerateArray()) Collect(item, strings); break;
        }
    }
}
