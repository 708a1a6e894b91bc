using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Interop;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Interop;

/// <summary>Exporting the tiny-dense reference model as a transformers LlamaForCausalLM folder.</summary>
public sealed class HuggingFaceExportTests : IDisposable
{
    readonly InteropTestFiles files = new();
    readonly string checkpoint;

    public HuggingFaceExportTests()
    {
        checkpoint = files.PathOf("pretrain_64.safetensors");
        using var model = Fixture.TinyDenseModel();
        ModelCheckpoint.Save(model, checkpoint, new CheckpointInfo { Config = model.Config, Stage = "pretrain", Tokenizer = Fixture.Path("seed-tokenizer") });
    }

    public void Dispose() => files.Dispose();

    ExportResult ExportLlama() => CheckpointExporter.Export(checkpoint, ExportFormat.HuggingFaceLlama, files.PathOf("hf"));

    [Fact]
    public void Export_WritesTheTransformersFolder()
    {
        var result = ExportLlama();

        Assert.Equal([CheckpointExporter.MarkerFile, "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"], result.Files.Order(StringComparer.Ordinal));
        Assert.Equal(result.Files.Order(StringComparer.Ordinal), Directory.GetFiles(result.OutputDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(files.Listing(), f => f.Contains(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigJson_HasTheLlamaFieldsOfTheModel()
    {
        var result = ExportLlama();
        var c = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.OutputDirectory, "config.json"))).RootElement;

        Assert.Equal("llama", c.GetProperty("model_type").GetString());
        Assert.Equal("LlamaForCausalLM", c.GetProperty("architectures")[0].GetString());
        Assert.Equal((64, 192, 2, 4, 2, 16, 6400), (c.GetProperty("hidden_size").GetInt32(), c.GetProperty("intermediate_size").GetInt32(),
            c.GetProperty("num_hidden_layers").GetInt32(), c.GetProperty("num_attention_heads").GetInt32(), c.GetProperty("num_key_value_heads").GetInt32(),
            c.GetProperty("head_dim").GetInt32(), c.GetProperty("vocab_size").GetInt32()));
        Assert.Equal(1e-5, c.GetProperty("rms_norm_eps").GetDouble());
        Assert.Equal(1e6, c.GetProperty("rope_theta").GetDouble());
        Assert.Equal(1e6, c.GetProperty("rope_parameters").GetProperty("rope_theta").GetDouble());
        Assert.Equal("silu", c.GetProperty("hidden_act").GetString());
        Assert.True(c.GetProperty("tie_word_embeddings").GetBoolean());
        Assert.Equal(Fixture.TinyDenseConfig().MaxSeqLen, c.GetProperty("max_position_embeddings").GetInt32());
        Assert.Equal("float32", c.GetProperty("torch_dtype").GetString());
        Assert.Equal((1, 2), (c.GetProperty("bos_token_id").GetInt32(), c.GetProperty("eos_token_id").GetInt32()));
        var g = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.OutputDirectory, "generation_config.json"))).RootElement;
        Assert.Equal((1, 2), (g.GetProperty("bos_token_id").GetInt32(), g.GetProperty("eos_token_id").GetInt32()));
    }

    [Fact]
    public void ModelSafetensors_HasLlamaNamesWithoutTheTiedHead_AndFormatMetadata()
    {
        var result = ExportLlama();
        var path = Path.Combine(result.OutputDirectory, "model.safetensors");
        var tensors = SafetensorsFile.Read(path);

        Assert.Equal(21 - 1, tensors.Count); // the seed's 21 names less output.weight
        Assert.DoesNotContain("lm_head.weight", tensors.Keys);
        Assert.Contains("model.layers.1.self_attn.q_proj.weight", tensors.Keys);
        Assert.All(tensors.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
        var headerLength = BitConverter.ToInt64(File.ReadAllBytes(path), 0);
        Assert.Equal(0, headerLength % 8);
        var header = JsonDocument.Parse(File.ReadAllBytes(path).AsMemory(8, (int)headerLength)).RootElement;
        Assert.Equal("pt", header.GetProperty("__metadata__").GetProperty("format").GetString());
    }

    [Fact]
    public void RotateHalfLlamaOnTheExport_GivesTheOriginalsLogits()
    {
        var result = ExportLlama();
        var weights = SafetensorsFile.Read(Path.Combine(result.OutputDirectory, "model.safetensors"));
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.OutputDirectory, "config.json"))).RootElement;
        var io = Fixture.TinyDenseIo();
        using var _ = no_grad();

        var logits = RotateHalfLlama.Logits(weights, config, io["input_ids"]);

        float error = Fixture.MaxAbsDiff(logits, io["logits"]);
        Assert.True(error <= 1e-4, $"max abs logit error {error}");
    }

    [Fact]
    public void RotateHalfLlamaOnUnpermutedWeights_DoesNotMatch_SoThePermutationIsWhatMakesItExact()
    {
        using var model = Fixture.TinyDenseModel();
        var renamed = model.state_dict().Where(kv => kv.Key != "output.weight").ToDictionary(kv => LlamaNames.ToTransformers(kv.Key)!, kv => kv.Value);
        var result = ExportLlama();
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(result.OutputDirectory, "config.json"))).RootElement;
        var io = Fixture.TinyDenseIo();
        using var _ = no_grad();

        var logits = RotateHalfLlama.Logits(renamed, config, io["input_ids"]);

        Assert.True(Fixture.MaxAbsDiff(logits, io["logits"]) > 1e-3);
    }

    [Fact]
    public void ExportThenImport_GivesIdenticalTensorsAndLogits()
    {
        var result = ExportLlama();
        var imported = files.PathOf("back.safetensors");

        var import = CheckpointImporter.Import(result.OutputDirectory, imported);

        Assert.Equal(WeightLayout.Transformers, import.Layout);
        Assert.EndsWith("config.json", import.ConfigSource);
        Assert.Equal((64, 2, 4, 2, 192, 1e6), (import.Config.Dim, import.Config.NLayers, import.Config.NHeads, import.Config.KvHeads, import.Config.FfnHiddenDim, import.Config.RopeTheta));
        var original = SafetensorsFile.Read(checkpoint);
        var back = SafetensorsFile.Read(imported);
        Assert.Equal(original.Keys.Order(), back.Keys.Order());
        foreach (var (name, t) in original)
            Assert.True(t.equal(back[name]).all().item<bool>(), $"{name} changed in the round trip");
        using var model = ModelCheckpoint.Load(imported);
        var io = Fixture.TinyDenseIo();
        using var _ = no_grad();
        Assert.True(Fixture.MaxAbsDiff(model.Forward(io["input_ids"]).Logits, io["logits"]) <= 1e-4);
    }

    [Fact]
    public void MoEModel_IsRefusedForLlama_WithNothingWritten()
    {
        manual_seed(5);
        using var moe = new MiniMindModel(new MiniMindConfig { Dim = 32, NLayers = 1, NHeads = 4, VocabSize = 6400, UseMoe = true, MaxSeqLen = 16 });
        var path = files.PathOf("moe.safetensors");
        ModelCheckpoint.Save(moe, path, new CheckpointInfo { Config = moe.Config });

        var e = Assert.Throws<ArgumentException>(() => CheckpointExporter.Export(path, ExportFormat.HuggingFaceLlama, files.PathOf("hf-moe"), Fixture.Path("seed-tokenizer")));

        Assert.Contains("mixture-of-experts", e.Message);
        Assert.False(Directory.Exists(files.PathOf("hf-moe")));
    }

    [Fact]
    public void ExistingNonEmptyFolder_IsRefusedUnlessOverwrite()
    {
        Directory.CreateDirectory(files.PathOf("hf"));
        File.WriteAllText(files.PathOf("hf", "keep.txt"), "mine");

        var e = Assert.Throws<IOException>(ExportLlama);
        Assert.Contains("not empty", e.Message);
        Assert.Equal("mine", File.ReadAllText(files.PathOf("hf", "keep.txt")));

        // overwrite replaces only a folder an export wrote: the user's folder stays as it was
        var refused = Assert.Throws<IOException>(() => CheckpointExporter.Export(checkpoint, ExportFormat.HuggingFaceLlama, files.PathOf("hf"), options: new ExportOptions { Overwrite = true }));
        Assert.Contains("not a folder an export wrote", refused.Message);
        Assert.Equal("mine", File.ReadAllText(files.PathOf("hf", "keep.txt")));
        File.Delete(files.PathOf("hf", "keep.txt"));

        ExportLlama(); // into the (now empty) folder, which gets the mark
        File.WriteAllText(files.PathOf("hf", "extra.txt"), "left by the export's user");
        CheckpointExporter.Export(checkpoint, ExportFormat.HuggingFaceLlama, files.PathOf("hf"), options: new ExportOptions { Overwrite = true });
        Assert.False(File.Exists(files.PathOf("hf", "extra.txt")));
        Assert.True(File.Exists(files.PathOf("hf", "model.safetensors")));
        Assert.True(File.Exists(files.PathOf("hf", CheckpointExporter.MarkerFile)));
    }

    [Fact]
    public void WithoutATokenizer_TheLlamaExportIsRefused()
    {
        using var model = Fixture.TinyDenseModel();
        var bare = files.PathOf("bare.safetensors");
        ModelCheckpoint.Save(model, bare, new CheckpointInfo { Config = model.Config });

        var e = Assert.Throws<ArgumentException>(() => CheckpointExporter.Export(bare, ExportFormat.HuggingFaceLlama, files.PathOf("hf2")));

        Assert.Contains("tokenizer", e.Message);
        Assert.False(Directory.Exists(files.PathOf("hf2")));
    }
}
