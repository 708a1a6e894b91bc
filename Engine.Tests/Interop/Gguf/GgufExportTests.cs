using System.Text.Json.Nodes;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Interop;
using MiniMind.Engine.Interop.Gguf;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Interop.Gguf;

/// <summary>The GGUF export as a user runs it (<see cref="CheckpointExporter"/>), its refusals, and the Ollama Modelfile.</summary>
public sealed class GgufExportTests : IDisposable
{
    readonly InteropTestFiles files = new();

    public void Dispose() => files.Dispose();

    string Checkpoint(MiniMindModel model, string name, string? tokenizer = null)
    {
        var path = files.PathOf(name + ".safetensors");
        ModelCheckpoint.Save(model, path, new CheckpointInfo { Config = model.Config, Stage = "sft", Tokenizer = tokenizer ?? GgufModels.TokenizerDir });
        return path;
    }

    [Theory]
    [InlineData(GgmlType.F32, "f32")]
    [InlineData(GgmlType.F16, "f16")]
    [InlineData(GgmlType.Q8_0, "q8_0")]
    public void Export_WritesTheGgufTheModelfileAndLlamaCppsCheck(GgmlType type, string suffix)
    {
        using var model = Fixture.TinyDenseModel();
        var checkpoint = Checkpoint(model, "my_sft");

        var result = CheckpointExporter.Export(checkpoint, ExportFormat.Gguf, files.PathOf("gguf"), options: new ExportOptions { Quantization = type });

        Assert.Equal([CheckpointExporter.MarkerFile, "Modelfile", $"my_sft-{suffix}.gguf", "tokenizer.json", "tokenizer_config.json"], result.Files.Order(StringComparer.Ordinal));
        Assert.Equal(result.Files.Order(StringComparer.Ordinal), Directory.GetFiles(result.OutputDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.NotNull(result.Check);
        Assert.True(result.Check.PromptTokensEqual, result.Check.Summary);
        if (type != GgmlType.Q8_0) Assert.True(result.Check.Equal, result.Check.Summary);
        Assert.Contains($"FROM ./my_sft-{suffix}.gguf", File.ReadAllText(Path.Combine(result.OutputDirectory, "Modelfile")));
        // the sizes: 4 bytes a weight, 2, and 34 per 32
        long bytes = new FileInfo(Path.Combine(result.OutputDirectory, $"my_sft-{suffix}.gguf")).Length, weights = model.Config.ParameterCount;
        Assert.InRange(bytes, weights * (type switch { GgmlType.F32 => 4.0, GgmlType.F16 => 2.0, _ => 34.0 / 32 }), weights * 4.0 + 1_000_000);
    }

    [Fact]
    public void Export_MergesALoraAdapterFirst()
    {
        using var model = Fixture.TinyDenseModel();
        var checkpoint = Checkpoint(model, "base");
        manual_seed(5);
        LoRAAdapters.Attach(model, new LoraSettings(4, 8, "square"));
        using (no_grad())
            foreach (var (name, p) in model.named_parameters().Where(p => p.name.Contains(".lora.", StringComparison.Ordinal))) p.normal_(0, 0.05);
        var adapter = files.PathOf("adapter.safetensors");
        AdapterCheckpoint.Save(model, adapter, new CheckpointInfo { Config = model.Config, Stage = "lora", Tokenizer = GgufModels.TokenizerDir, Lora = new LoraSettings(4, 8, "square") });

        var plain = CheckpointExporter.Export(checkpoint, ExportFormat.Gguf, files.PathOf("plain"), options: new ExportOptions { Quantization = GgmlType.F32 });
        var merged = CheckpointExporter.Export(checkpoint, ExportFormat.Gguf, files.PathOf("merged"), options: new ExportOptions { Quantization = GgmlType.F32, LoraAdapter = adapter });

        Assert.True(merged.Check!.Equal, merged.Check.Summary); // llama.cpp follows the merged model...
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(plain.OutputDirectory, "base-f32.gguf")), File.ReadAllBytes(Path.Combine(merged.OutputDirectory, "base-f32.gguf")));
    }

    [Fact]
    public void MoeWithoutASharedExpert_IsRefusedBeforeAnyWork()
    {
        manual_seed(1);
        using var model = new MiniMindModel(new MiniMindConfig { Dim = 64, NLayers = 1, NHeads = 4, NKvHeads = 2, HiddenDim = 128, UseMoe = true, NSharedExperts = false });
        var checkpoint = Checkpoint(model, "moe");

        var e = Assert.Throws<ArgumentException>(() => CheckpointExporter.Export(checkpoint, ExportFormat.Gguf, files.PathOf("out")));
        Assert.Contains("n_shared_experts", e.Message);
        Assert.False(Directory.Exists(files.PathOf("out")));
    }

    [Theory]
    [InlineData("normalizer", """{"type": "NFC"}""", "normalizer is NFC")]
    [InlineData("pre_tokenizer", """{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\d"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}""", "sequence of 2 stages")]
    [InlineData("pre_tokenizer", """{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true}""", "add_prefix_space is true")]
    public void ATokenizerLlamaCppWouldReadDifferently_IsRefused(string field, string json, string expected)
    {
        var dir = files.PathOf("tok");
        Directory.CreateDirectory(dir);
        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(GgufModels.TokenizerDir, "tokenizer.json")))!;
        tokenizer[field] = JsonNode.Parse(json);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString());
        File.Copy(Path.Combine(GgufModels.TokenizerDir, "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
        using var model = Fixture.TinyDenseModel();
        var checkpoint = Checkpoint(model, "odd", dir);

        var e = Assert.Throws<ArgumentException>(() => CheckpointExporter.Export(checkpoint, ExportFormat.Gguf, files.PathOf("out")));
        Assert.Contains(expected, e.Message);
        Assert.Contains("tokenizer.json", e.Message);
        Assert.False(Directory.Exists(files.PathOf("out")));
    }

    [Fact]
    public void Modelfile_RendersLikeTheJinjaTemplate_WithItsDefaultSystemPrompt()
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(GgufModels.TokenizerDir);
        var pieces = OllamaModelfile.Decompose(tokenizer.ChatTemplate!, "<s>", "</s>");
        var (text, note) = OllamaModelfile.Create("m.gguf", tokenizer.ChatTemplate, "<s>", "</s>", 8192);

        Assert.Equal(("<s>system\n", "</s>\n", "你是 MiniMind，是一个有用的人工智能助手。"), (pieces.SystemPrefix, pieces.SystemSuffix, pieces.DefaultSystem));
        Assert.Equal(("<s>user\n", "</s>\n<s>assistant\n", "</s>\n"), (pieces.UserPrefix, pieces.UserSuffix, pieces.AssistantSuffix));
        Assert.Null(note);
        Assert.Equal(
            "# Written by MiniMind Studio. Create the Ollama model with:\n#   ollama create NAME -f Modelfile\n"
            + "FROM ./m.gguf\n"
            + "TEMPLATE \"\"\"{{ if .System }}<s>system\n{{ .System }}</s>\n{{ end }}{{ range .Messages }}{{ if eq .Role \"user\" }}<s>user\n{{ .Content }}</s>\n<s>assistant\n"
            + "{{ else if eq .Role \"assistant\" }}{{ .Content }}</s>\n{{ end }}{{ end }}\"\"\"\n"
            + "SYSTEM \"\"\"你是 MiniMind，是一个有用的人工智能助手。\"\"\"\n"
            + "PARAMETER stop \"</s>\"\nPARAMETER num_ctx 8192\n",
            text);
    }

    [Fact]
    public void TheMiniMind3Template_GetsATemplateForItsChatTurns()
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(Fixture.Path("minimind3", "tokenizer"));

        var (text, note) = OllamaModelfile.Create("m.gguf", tokenizer.ChatTemplate, tokenizer.BosToken, tokenizer.EosToken, 32768);

        Assert.Null(note);
        Assert.Contains("{{ if eq .Role \"user\" }}<|im_start|>user\n{{ .Content }}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", text);
        Assert.DoesNotContain("SYSTEM", text); // its template adds no system prompt of its own
        Assert.Contains("PARAMETER stop \"<|im_end|>\"", text);
    }

    [Theory]
    [InlineData("{% for m in messages %}{{ m['content'] }}{% endfor %}{% for m in messages %}{{ m['content'] }}{% endfor %}", "once")]
    [InlineData("{% for m in messages|reverse %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}", "out of order")]
    [InlineData("{% if messages|length > 4 %}[long] {% endif %}{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}</{{ m['role'] }}>{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}", "renders differently")]
    public void ATemplateWithoutFixedTurnTexts_GetsNoTemplateAndANote(string template, string why)
    {
        var (text, note) = OllamaModelfile.Create("m.gguf", template, "<s>", "</s>", 512);

        Assert.DoesNotContain("TEMPLATE", text);
        Assert.NotNull(note);
        Assert.True(note.Contains(why, StringComparison.Ordinal), note);
    }
}
