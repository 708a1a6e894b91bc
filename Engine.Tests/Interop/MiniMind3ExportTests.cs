using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Interop;
using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Interop;

/// <summary>
/// minimind3 checkpoints out and back in: the current original's .pth layout (transformers names, rotate-half q/k, the
/// head under both names, a torchrun launch script when its trainers can rebuild the model) and the Qwen3 folder that
/// its convert_model.py writes; each imports back to the same logits, with the config read from the folder or the weights.
/// </summary>
public sealed class MiniMind3ExportTests : IDisposable
{
    readonly InteropTestFiles files = new();

    public void Dispose() => files.Dispose();

    string Checkpoint(MiniMindConfig config, string name, string stage = "sft")
    {
        manual_seed(4);
        using var model = new MiniMindModel(config);
        using (no_grad())
            foreach (var (_, p) in model.named_parameters().Where(p => p.name.Contains("_norm", StringComparison.Ordinal))) p.uniform_(0.5, 1.5);
        var path = files.PathOf(name + ".safetensors");
        ModelCheckpoint.Save(model, path, new CheckpointInfo { Config = config, Stage = stage, Tokenizer = Fixture.Path("minimind3", "tokenizer") });
        return path;
    }

    static float LogitDifference(string a, string b)
    {
        using var left = ModelCheckpoint.Load(a);
        using var right = ModelCheckpoint.Load(b);
        using var ids = tensor(new long[] { 1, 85, 736, 20, 300, 41, 9, 1000, 7, 55, 2, 600 }).unsqueeze(0);
        using var _ = no_grad();
        return Fixture.MaxAbsDiff(left.Forward(ids).Logits, right.Forward(ids).Logits);
    }

    static MiniMindConfig Tiny(bool moe) => MiniMindConfig.Preset(moe ? "minimind3-moe" : "minimind3") with { Dim = 64, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 256 };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheOriginalsPthLayout_RoundTrips(bool moe)
    {
        var checkpoint = Checkpoint(Tiny(moe), "mine");

        var result = CheckpointExporter.Export(checkpoint, ExportFormat.MiniMindPth, files.PathOf("pth"));
        var pth = Path.Combine(result.OutputDirectory, moe ? "full_sft_64_moe.pth" : "full_sft_64.pth");
        var names = PthFile.Read(pth).Keys.ToList();
        var back = files.PathOf("back.safetensors");
        var imported = CheckpointImporter.Import(pth, back); // no config: the sizes, the family and the heads come from the weights

        Assert.Contains("model.layers.1.self_attn.q_norm.weight", names);
        Assert.Contains("lm_head.weight", names);
        Assert.Equal(moe ? 4 : 0, names.Count(n => n.StartsWith("model.layers.0.mlp.experts.", StringComparison.Ordinal) && n.EndsWith("gate_proj.weight", StringComparison.Ordinal)));
        Assert.Equal((MiniMindConfig.MiniMind3, 4, 2), (imported.Config.Family, imported.Config.NHeads, imported.Config.KvHeads));
        Assert.True(LogitDifference(checkpoint, back) <= 1e-5f);
        Assert.DoesNotContain(OriginalLaunch.FileName, result.Files); // 4 heads: the original's trainers build 8
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheQwen3Folder_RoundTrips(bool moe)
    {
        var checkpoint = Checkpoint(Tiny(moe), "mine");

        var result = CheckpointExporter.Export(checkpoint, ExportFormat.HuggingFaceLlama, files.PathOf("hf"));
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.OutputDirectory, "config.json"))).RootElement;
        var back = files.PathOf("back.safetensors");
        CheckpointImporter.Import(result.OutputDirectory, back);

        Assert.Equal(moe ? "qwen3_moe" : "qwen3", config.GetProperty("model_type").GetString());
        Assert.Equal(1e-6, config.GetProperty("rms_norm_eps").GetDouble());
        Assert.True(LogitDifference(checkpoint, back) <= 1e-5f);
    }

    [Fact]
    public void AModelTheOriginalsTrainersCanRebuild_GetsATorchrunLaunchScript()
    {
        var checkpoint = Checkpoint(MiniMindConfig.Preset("minimind3") with { NLayers = 1, MaxSeqLen = 512 }, "mine", stage: "pretrain");

        var result = CheckpointExporter.Export(checkpoint, ExportFormat.MiniMindPth, files.PathOf("pth"));
        var script = File.ReadAllText(Path.Combine(result.OutputDirectory, OriginalLaunch.FileName));

        Assert.Contains("pretrain_768.pth", result.Files);
        Assert.Contains("torchrun --nnodes \"$NNODES\" --node_rank \"$NODE_RANK\" --nproc_per_node \"$NPROC\"", script);
        Assert.Contains("train_full_sft.py --hidden_size 768 --num_hidden_layers 1 --use_moe 0", script);
        Assert.Contains("--from_weight pretrain", script);
        Assert.Contains("cp \"$here/pretrain_768.pth\" \"$MINIMIND/out/pretrain_768.pth\"", script);
        // one command over several lines, each continued; bash reads the whole script
        var command = script[script.IndexOf("torchrun --nnodes", StringComparison.Ordinal)..].TrimEnd().Split('\n');
        Assert.Equal(4, command.Length);
        Assert.All(command[..^1], line => Assert.EndsWith(" \\", line));
        Assert.DoesNotContain("   --", string.Join("", command.Select(l => l.Trim())));
        using var bash = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", ["-n", Path.Combine(result.OutputDirectory, OriginalLaunch.FileName)]) { RedirectStandardError = true })!;
        var error = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        Assert.True(bash.ExitCode == 0, error);
    }

    /// <summary>A config written with the current original's names (hidden_size, ...) is read as such, not silently ignored.</summary>
    [Fact]
    public void AConfigInTheOriginalsNames_IsReadAsTheCurrentOriginals()
    {
        var path = files.PathOf("config-original.json");
        File.WriteAllText(path, """{"hidden_size": 256, "num_hidden_layers": 2, "num_attention_heads": 8, "num_key_value_heads": 4, "vocab_size": 6400}""");
        var lm = files.PathOf("lmconfig.json");
        File.WriteAllText(lm, """{"dim": 256, "n_layers": 2, "n_heads": 8, "n_kv_heads": 4}""");

        var config = HuggingFaceConfig.ReadAny(path);

        Assert.Equal((MiniMindConfig.MiniMind3, 256, 2, 8, 4), (config.Family, config.Dim, config.NLayers, config.NHeads, config.KvHeads));
        Assert.True(config.QkNorm);
        Assert.Equal(832, config.FfnHiddenDim); // ceil(256 * pi / 64) * 64
        Assert.Equal((256, 2), (HuggingFaceConfig.ReadAny(lm).Dim, HuggingFaceConfig.ReadAny(lm).NLayers));
    }
}
