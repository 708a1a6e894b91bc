using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Studio.Tests.Components;

/// <summary>Small random checkpoints over the demo tokenizer, written with <see cref="ModelCheckpoint.Save"/> for page tests.</summary>
public static class CheckpointFiles
{
    public static string DemoTokenizer { get; } = Path.Combine(Repo.Root, "dataset", "tokenizer");

    static readonly Lazy<int> VocabSize = new(() => ByteLevelBpeTokenizer.Load(DemoTokenizer).VocabSize);

    /// <summary>A two-layer model whose vocabulary is the demo tokenizer's; <paramref name="tokenizer"/> is what its sidecar names.</summary>
    public static string Tiny(string outDir, string name, bool moe = false, string? tokenizer = null, string stage = "sft", string preset = "tiny")
    {
        var config = MiniMindConfig.Preset(preset) with { Dim = 64, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 256, VocabSize = VocabSize.Value, UseMoe = moe };
        var path = Path.Combine(outDir, name + ".safetensors");
        using var model = new MiniMindModel(config);
        ModelCheckpoint.Save(model, path, new CheckpointInfo { Config = config, Stage = stage, Step = 1, Tokenizer = tokenizer ?? DemoTokenizer });
        return path;
    }
}
