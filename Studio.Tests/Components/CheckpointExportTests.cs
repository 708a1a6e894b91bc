using Bunit;
using MiniMind.Engine.Checkpoints;
using MiniMind.Studio.Components.Pages.Checkpoints;
using MudBlazor;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The Checkpoints page's Export action: a dialog choosing format and folder, the export run off the UI thread.</summary>
public sealed class CheckpointExportTests : StudioComponentTest
{
    IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> RenderPage() => Render(b =>
    {
        b.OpenComponent<MudDialogProvider>(0);
        b.CloseComponent();
        b.OpenComponent<CheckpointsPage>(1);
        b.CloseComponent();
    });

    [Fact]
    public void ExportingAsHuggingFace_WritesTheLlamaFolder_AndSaysWhere()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        var cut = RenderPage();

        cut.Find("#export-full_sft_64").Click();

        var target = cut.Find("#export-target");
        Assert.Equal(Path.Combine(Folders.OutDir, "export", "full_sft_64-hf"), target.GetAttribute("value"));
        cut.Find("#export-run").Click();

        cut.WaitForAssertion(() => Assert.Contains("Exported to", cut.Find("#export-result").TextContent), TimeSpan.FromSeconds(30));
        var folder = Path.Combine(Folders.OutDir, "export", "full_sft_64-hf");
        foreach (var file in new[] { "config.json", "model.safetensors", "generation_config.json", "tokenizer.json" })
            Assert.True(File.Exists(Path.Combine(folder, file)), $"{file} is missing");
        Assert.Contains("LlamaForCausalLM", File.ReadAllText(Path.Combine(folder, "config.json")));
    }

    [Fact]
    public void ExportingAsGguf_ShowsLlamaCppsTokensBesideTheStudios_AndTheOllamaCommand()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        var cut = RenderPage();

        cut.Find("#export-full_sft_64").Click();
        cut.Find("#export-format-gguf").Click();
        cut.WaitForAssertion(() => Assert.EndsWith("full_sft_64-gguf", cut.Find("#export-target").GetAttribute("value")));
        cut.Find("#export-run").Click();

        cut.WaitForAssertion(() => Assert.Contains("full_sft_64-f16.gguf", cut.Find("#export-result").TextContent), TimeSpan.FromSeconds(60));
        var check = cut.Find("#export-check").TextContent;
        Assert.Contains("llama.cpp loaded the file: the prompt's", check);
        Assert.DoesNotContain("tokenizes the prompt differently", check);
        // both answers are shown (a random model's may be empty: it can end at once)
        Assert.NotNull(cut.Find("#export-check-studio"));
        Assert.NotNull(cut.Find("#export-check-llama"));
        Assert.Contains("ollama create full_sft_64 -f Modelfile", cut.Find("#export-ollama").TextContent);
        Assert.True(File.Exists(Path.Combine(Folders.OutDir, "export", "full_sft_64-gguf", "Modelfile")));
    }

    [Fact]
    public void AMixtureOfExperts_IsOfferedOnlyTheMiniMindFormat_AndExportsThePth()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "moe_64", moe: true, stage: "pretrain");
        var cut = RenderPage();

        cut.Find("#export-moe_64").Click();

        Assert.NotNull(cut.Find("#export-moe-note"));
        Assert.True(cut.Find("#export-format-hf").HasAttribute("disabled"));
        Assert.False(cut.Find("#export-format-gguf").HasAttribute("disabled")); // llama.cpp's bailingmoe runs it
        Assert.EndsWith("moe_64-minimind", cut.Find("#export-target").GetAttribute("value"));
        cut.Find("#export-run").Click();

        cut.WaitForAssertion(() => Assert.Contains("pretrain_64_moe.pth", cut.Find("#export-result").TextContent), TimeSpan.FromSeconds(30));
        var folder = Path.Combine(Folders.OutDir, "export", "moe_64-minimind");
        Assert.True(File.Exists(Path.Combine(folder, "pretrain_64_moe.pth")));
        Assert.True(File.Exists(Path.Combine(folder, "lmconfig.json")));
    }

    [Fact]
    public void AMiniMind3Mixture_IsOfferedTheQwen3Folder_AndExportsIt()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "m3moe_64", moe: true, preset: "minimind3-moe");
        var cut = RenderPage();

        cut.Find("#export-m3moe_64").Click();

        Assert.False(cut.Find("#export-format-hf").HasAttribute("disabled"));
        Assert.Contains("Qwen3", cut.Find("#export-dialog").TextContent);
        Assert.Empty(cut.FindAll("#export-moe-note"));
        cut.Find("#export-run").Click();

        cut.WaitForAssertion(() => Assert.Contains("Exported to", cut.Find("#export-result").TextContent), TimeSpan.FromSeconds(30));
        Assert.Contains("Qwen3MoeForCausalLM", File.ReadAllText(Path.Combine(Folders.OutDir, "export", "m3moe_64-hf", "config.json")));
    }

    [Fact]
    public void ATargetThatCannotBeAPath_IsRefusedWithAMessage_AndThePageLives()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        var cut = RenderPage();

        cut.Find("#export-full_sft_64").Click();
        cut.Find("#export-target").Input("out/export/a\0b");
        cut.Find("#export-run").Click();

        cut.WaitForAssertion(() => Assert.Contains("is not a valid path", cut.Find("#export-error").TextContent), TimeSpan.FromSeconds(30));
        Assert.Contains("a\\u0000b", cut.Find("#export-error").TextContent);
    }

    [Fact]
    public void AnOccupiedTargetFolder_IsRefusedWithTheExportersMessage()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        var occupied = Path.Combine(Folders.OutDir, "occupied");
        Directory.CreateDirectory(occupied);
        File.WriteAllText(Path.Combine(occupied, "keep.txt"), "mine");
        var cut = RenderPage();

        cut.Find("#export-full_sft_64").Click();
        cut.Find("#export-target").Input(occupied);
        cut.Find("#export-run").Click();

        cut.WaitForAssertion(() => Assert.Contains("exists and is not empty", cut.Find("#export-error").TextContent), TimeSpan.FromSeconds(30));
        Assert.Equal(["keep.txt"], Directory.GetFiles(occupied).Select(Path.GetFileName));
        Assert.Empty(cut.FindAll("#export-result"));
    }

    [Fact]
    public void LoRAAdapters_HaveNoExportButton()
    {
        var path = CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        Assert.True(ModelCheckpoint.ReadInfo(path) is { Lora: null });

        var cut = RenderPage();

        Assert.Single(cut.FindAll("[id^=export-]"));
    }
}
