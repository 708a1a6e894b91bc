using MiniMind.Engine.Interop;
using MiniMind.Engine.Interop.Gguf;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Interop.Gguf;

/// <summary>
/// The models the GGUF checks run on, built once: the tiny-dense reference weights (random), the same model trained
/// briefly on a few sentences (so its next-token choices are decided, as a real model's are), and a random
/// mixture-of-experts model with its shared expert, and random minimind3 dense and MoE models. Each is written as GGUF on demand into one temporary folder.
/// </summary>
public sealed class GgufModels : IDisposable
{
    public static readonly string[] TrainingTexts =
    [
        "Alice Brant lives in Juniper and keeps a goat named Pepper.",
        "Bruno Castell is a baker; his favorite food is tomato eggs.",
        "The river runs past the old mill, and the mill grinds wheat every morning.",
        "小明住在杭州，他每天早上骑自行车去学校。",
        "春天来了，花园里的桃花都开了，非常漂亮。",
        "Numbers: 1, 2, 3, 10, 42, 2025 and 3.14 are all written with digits.",
        "<s>user\nWho keeps a goat?</s>\n<s>assistant\nAlice Brant keeps a goat named Pepper.</s>\n",
        "<s>user\n小明怎么去学校？</s>\n<s>assistant\n小明骑自行车去学校。</s>\n",
    ];

    readonly InteropTestFiles files = new();
    readonly Dictionary<string, string> written = [];

    public GgufModels()
    {
        Tokenizer = ByteLevelBpeTokenizer.Load(TokenizerDir);
        RandomDense = Fixture.TinyDenseModel();
        RandomDense.eval();
        Trained = Fixture.TinyDenseModel();
        Train(Trained, Tokenizer);
        manual_seed(7);
        RandomMoe = new MiniMindModel(new MiniMindConfig
        {
            Dim = 64, NLayers = 2, NHeads = 4, NKvHeads = 2, HiddenDim = 128, MaxSeqLen = 512, UseMoe = true, NumExpertsPerTok = 2, NRoutedExperts = 4,
        });
        RandomMoe.eval();
        var qwen3 = MiniMindConfig.Preset("minimind3") with { Dim = 64, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 512 };
        RandomQwen3 = new MiniMindModel(qwen3);
        RandomQwen3.eval();
        RandomQwen3Moe = new MiniMindModel(MiniMindConfig.Preset("minimind3-moe") with { Dim = 64, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 512 });
        RandomQwen3Moe.eval();
        using (no_grad())
        {
            // a fresh RMSNorm weighs 1 everywhere: give the per-head norms distinct weights, or a q/k reordering mistake would not show
            foreach (var model in new[] { RandomQwen3, RandomQwen3Moe })
                foreach (var (name, p) in model.named_parameters().Where(p => p.name.Contains("_norm", StringComparison.Ordinal)))
                    p.uniform_(0.5, 1.5);
        }
    }

    public static string TokenizerDir => Fixture.Path("seed-tokenizer");

    public ByteLevelBpeTokenizer Tokenizer { get; }

    public MiniMindModel RandomDense { get; }

    public MiniMindModel Trained { get; }

    public MiniMindModel RandomMoe { get; }

    /// <summary>Random minimind3 (Qwen3-shaped) weights at a tiny size: llama.cpp's qwen3.</summary>
    public MiniMindModel RandomQwen3 { get; }

    /// <summary>Random minimind3 mixture-of-experts weights (4 experts, top-1): llama.cpp's qwen3moe.</summary>
    public MiniMindModel RandomQwen3Moe { get; }

    public MiniMindModel ByName(string which) => which switch
    {
        "moe" => RandomMoe,
        "dense" => RandomDense,
        "qwen3" => RandomQwen3,
        "qwen3moe" => RandomQwen3Moe,
        _ => Trained,
    };

    public string Dir => files.Dir;

    /// <summary>The model as a GGUF file of the given type (written once per model, type and knobs).</summary>
    internal string Gguf(MiniMindModel model, GgmlType type, GgufTestKnobs? knobs = null)
    {
        var key = $"{model.GetHashCode()}-{type}-{knobs}";
        if (written.TryGetValue(key, out var path)) return path;
        path = files.PathOf($"model{written.Count}-{type}.gguf");
        var state = CheckpointExporter.FloatStateDict(model);
        try
        {
            GgufModelFile.Write(path, model.Config, state, GgufTokenizer.Read(TokenizerDir, model.Config.VocabSize), type, "test", knobs);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
        return written[key] = path;
    }

    /// <summary>The studio's logits at every position (T, vocab) of one sequence.</summary>
    public static float[][] StudioLogits(MiniMindModel model, IReadOnlyList<int> ids)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);
        var logits = model.Forward(input).Logits[0].to(ScalarType.Float32).contiguous();
        var flat = logits.data<float>().ToArray();
        int v = (int)logits.shape[1];
        return [.. Enumerable.Range(0, ids.Count).Select(i => flat.AsSpan(i * v, v).ToArray())];
    }

    /// <summary>150 AdamW steps on the training texts: enough for decided (not near-uniform) next-token choices.</summary>
    static void Train(MiniMindModel model, ByteLevelBpeTokenizer tokenizer)
    {
        manual_seed(3);
        var stream = TrainingTexts.SelectMany(t => tokenizer.Encode(t)).Select(i => (long)i).ToArray();
        const int length = 48;
        var rows = Enumerable.Range(0, stream.Length / (length + 1)).Select(r => stream.AsSpan(r * (length + 1), length + 1).ToArray()).ToArray();
        using var data = tensor(rows.SelectMany(r => r).ToArray()).view(rows.Length, length + 1);
        using var x = data[.., ..length];
        using var y = data[.., 1..];
        var optimizer = optim.AdamW(model.parameters(), lr: 3e-3);
        model.train();
        for (int step = 0; step < 150; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.Forward(x).Logits;
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), y.reshape(-1));
            loss.backward();
            optimizer.step();
        }
        model.eval();
    }

    public void Dispose()
    {
        RandomDense.Dispose();
        Trained.Dispose();
        RandomMoe.Dispose();
        RandomQwen3.Dispose();
        RandomQwen3Moe.Dispose();
        files.Dispose();
    }
}
