using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using MiniMind.Studio.Components.Pages.Chat;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Components;

/// <summary>Compare puts two checkpoints side by side, or says what to do when there are none.</summary>
public sealed class ComparePageTests : StudioComponentTest
{
    [Fact]
    public void WithoutCheckpoints_ThePageSaysHowToGetThem()
    {
        var cut = Render<ComparePage>();

        Assert.Contains("Comparing needs checkpoints", cut.Find("#compare-empty").TextContent);
        Assert.Empty(cut.FindAll(".compare-pane"));
    }

    [Fact]
    public void TwoCheckpoints_AreShownInTwoHalfWidthPanes_OneEach()
    {
        var config = MiniMindConfig.Preset("tiny") with { VocabSize = 1793 };
        foreach (var (name, stage) in new[] { ("full_sft_128", "sft"), ("rlhf_128", "dpo") })
        {
            using var model = new MiniMindModel(config);
            ModelCheckpoint.Save(model, Path.Combine(Folders.OutDir, name + ".safetensors"), new CheckpointInfo { Config = config, Stage = stage, Step = 1 });
            Thread.Sleep(20); // distinct creation times
        }

        var cut = Render<ComparePage>();

        var panes = cut.FindAll(".compare-pane");
        Assert.Equal(2, panes.Count);
        Assert.All(panes, p => Assert.Contains("mud-grid-item-sm-6", p.ClassName));
        Assert.Contains("left checkpoint", panes[0].TextContent);
        Assert.Contains("right checkpoint", panes[1].TextContent);
        Assert.Contains("full_sft_128", panes[0].TextContent);
        Assert.Contains("rlhf_128", panes[1].TextContent);
        Assert.True(cut.Find("#compare-run").HasAttribute("disabled"), "nothing to ask yet");
    }

    [Fact]
    public void ByDefault_TheNewestModelSitsBesideTheCheckpointItStartedFrom()
    {
        // the demo pipeline with GRPO: grpo (from full_sft) is newer than rlhf, and the adapter newer still
        var config = MiniMindConfig.Preset("tiny") with { VocabSize = 1793 };
        var sft = Path.Combine(Folders.OutDir, "full_sft_128.safetensors");
        foreach (var (name, stage, start) in new[] { ("full_sft_128", "sft", (string?)null), ("rlhf_128", "dpo", sft), ("grpo_128", "grpo", sft) })
        {
            using var model = new MiniMindModel(config);
            ModelCheckpoint.Save(model, Path.Combine(Folders.OutDir, name + ".safetensors"),
                new CheckpointInfo { Config = config, Stage = stage, Step = 1, BaseCheckpoint = start });
            Thread.Sleep(20); // distinct creation times
        }

        var panes = Render<ComparePage>().FindAll(".compare-pane");

        Assert.Contains("full_sft_128", panes[0].TextContent);
        Assert.Contains("grpo_128", panes[1].TextContent);
    }

    /// <summary>The page at /compare with a query, as a link (the demo pipeline's) opens it.</summary>
    IRenderedComponent<ComparePage> Open(params (string Name, string Value)[] query)
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameters("/compare", query.ToDictionary(q => q.Name, q => (object?)q.Value)));
        return Render<ComparePage>();
    }

    /// <summary>
    /// Waits for the verdict (every pane answered) on a busy machine too; if it never comes, says what each pane shows
    /// (an error, or an answer still streaming), not only that the wait ran out.
    /// </summary>
    static void WaitForVerdict(IRenderedComponent<ComparePage> cut, Action assertion)
    {
        try
        {
            cut.WaitForAssertion(assertion, TimeSpan.FromMinutes(3));
        }
        catch (Bunit.Extensions.WaitForHelpers.WaitForFailedException e)
        {
            var panes = cut.FindAll(".compare-pane .chat-bubble.assistant").Select(b => $"[{b.GetAttribute("data-finish") ?? "no finish"}] {b.TextContent.Trim()}");
            throw new Xunit.Sdk.XunitException($"no verdict; the panes show:\n{string.Join("\n", panes)}\n{e.Message}");
        }
    }

    void TwoModels(bool same)
    {
        foreach (var name in new[] { "full_sft_128", "rlhf_128" })
        {
            TorchSharp.torch.manual_seed(same ? 7 : name.Length); // the same weights, or not
            CheckpointFiles.Tiny(Folders.OutDir, name);
            Thread.Sleep(20); // distinct creation times
        }
    }

    [Fact]
    public void AHeldOutPrompt_IsOneClickAway_AndTheLineUnderTheAnswersSaysTheyDiffer()
    {
        TwoModels(same: false);
        var cut = Open(("left", Path.Combine(Folders.OutDir, "full_sft_128.safetensors")), ("right", Path.Combine(Folders.OutDir, "rlhf_128.safetensors")));
        var prompts = cut.FindAll(".held-out-prompt");
        Assert.Contains(prompts, p => p.TextContent.Contains("Describe Alice Brant."));

        prompts.First(p => p.TextContent.Contains("Describe Alice Brant.")).Click();

        WaitForVerdict(cut, () => Assert.Equal("true", cut.Find("#compare-verdict").GetAttribute("data-differ")));
        Assert.Contains("full_sft_128 and rlhf_128 differ", cut.Find("#compare-verdict").TextContent);
        Assert.All(cut.FindAll(".compare-pane"), pane => Assert.Contains("Describe Alice Brant.", pane.TextContent));
    }

    /// <summary>Panes of both families side by side: a MiniMind2 model on the demo tokenizer, a minimind-3 model on the original's.</summary>
    [Fact]
    public void AMiniMind2AndAMinimind3Checkpoint_AnswerSideBySide()
    {
        var mm2 = CheckpointFiles.Tiny(Folders.OutDir, "mm2_sft");
        var mm3Config = MiniMindConfig.Preset("minimind3-tiny") with { Dim = 64, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 256 };
        var mm3 = Path.Combine(Folders.OutDir, "mm3_sft.safetensors");
        using (var model = new MiniMindModel(mm3Config))
            ModelCheckpoint.Save(model, mm3, new CheckpointInfo { Config = mm3Config, Stage = "sft", Step = 1, Tokenizer = Repo.Fixture("minimind3", "tokenizer") });

        var cut = Open(("left", mm2), ("right", mm3), ("ask", "Where does Alice live?"));

        WaitForVerdict(cut, () => Assert.NotNull(cut.Find("#compare-verdict").GetAttribute("data-differ")));
        var panes = cut.FindAll(".compare-pane");
        Assert.Contains("mm2_sft", panes[0].TextContent);
        Assert.Contains("mm3_sft", panes[1].TextContent);
        Assert.All(panes, pane => Assert.Single(pane.QuerySelectorAll(".chat-bubble.assistant")));
    }

    /// <summary>Every pane runs the same tool loop: a model the studio taught to call get_person does, in each pane, and answers from the result.</summary>
    [Fact]
    public async Task EveryPane_RunsTheToolLoop()
    {
        var result = await new MiniMind.Engine.Chat.Tools.DemoPeopleTool().InvokeAsync(System.Text.Json.JsonDocument.Parse("""{"name": "Alice Brant"}""").RootElement, default);
        var town = System.Text.Json.JsonDocument.Parse(result).RootElement.GetProperty("town").GetString()!;
        var conversation = new MiniMind.Studio.Tests.Services.ToolModel.Conversation("You answer with tools.", new ToolSet { People = true }.Json!,
            "Where does Alice Brant live?", "get_person", """{"name": "Alice Brant"}""", result, $"Alice Brant lives in {town}.");
        var model = MiniMind.Studio.Tests.Services.ToolModel.Train(Folders.OutDir, "person_tools", conversation);
        var cut = Open(("left", model), ("right", model));
        cut.Find("#compare-tools .tools-people input").Change(true);
        cut.Find("#compare-system").Change(conversation.System);

        cut.Find("#compare-input").Input(conversation.Question);
        _ = cut.InvokeAsync(() => cut.Find("#compare-run").Click()); // the answers stream on

        WaitForVerdict(cut, () => Assert.Equal("false", cut.Find("#compare-verdict").GetAttribute("data-differ")));
        foreach (var pane in cut.FindAll(".compare-pane"))
        {
            Assert.Contains(town, pane.QuerySelector(".tool-step[data-tool=get_person] .tool-step-result")!.TextContent);
            Assert.Contains($"Alice Brant lives in {town}.", pane.TextContent);
        }
    }

    [Fact]
    public void TheSameWeights_AnswerTheSame_AndEachPaneKeepsItsConversation()
    {
        TwoModels(same: true);
        var cut = Open(("ask", "Where does Alice live?"));
        WaitForVerdict(cut, () => Assert.Equal("false", cut.Find("#compare-verdict").GetAttribute("data-differ")));
        Assert.Contains("All 2 answers are the same.", cut.Find("#compare-verdict").TextContent);

        cut.Find("#compare-input").Input("And what is 2 plus 3?");
        cut.InvokeAsync(() => cut.Find("#compare-run").Click());

        WaitForVerdict(cut, () => Assert.Equal("false", cut.Find("#compare-verdict").GetAttribute("data-differ")));
        foreach (var pane in cut.FindAll(".compare-pane"))
        {
            Assert.Equal(2, pane.QuerySelectorAll(".chat-bubble.user").Length);
            Assert.Equal(2, pane.QuerySelectorAll(".chat-bubble.assistant").Length);
        }
        cut.WaitForAssertion(() => Assert.False(cut.Find("#compare-new").HasAttribute("disabled")));
        cut.InvokeAsync(() => cut.Find("#compare-new").Click());
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".chat-bubble")));
    }

    [Fact]
    public void AThirdPane_TakesALoraAdapter_AnsweringMergedIntoItsBase()
    {
        TwoModels(same: true);
        var basePath = Path.Combine(Folders.OutDir, "full_sft_128.safetensors");
        using (var model = ModelCheckpoint.Load(basePath))
        {
            var settings = new LoraSettings(4, 8, "all");
            LoRAAdapters.Attach(model, settings);
            TorchSharp.torch.manual_seed(3);
            using (TorchSharp.torch.no_grad())
                foreach (var p in LoRAAdapters.AdapterParameters(model)) p.normal_(0, 0.5);
            AdapterCheckpoint.Save(model, Path.Combine(Folders.OutDir, "lora_juniper.safetensors"),
                new CheckpointInfo { Config = model.Config, Stage = "lora", Tokenizer = CheckpointFiles.DemoTokenizer, BaseCheckpoint = basePath, Lora = settings });
        }
        var cut = Open(("third", Path.Combine(Folders.OutDir, "lora_juniper.safetensors")), ("ask", "Who are you?"));

        var panes = cut.FindAll(".compare-pane");
        Assert.Equal(3, panes.Count);
        Assert.All(panes, p => Assert.Contains("mud-grid-item-sm-4", p.ClassName));
        Assert.Contains("lora_juniper (LoRA", panes[2].TextContent);
        WaitForVerdict(cut, () => Assert.Contains("lora_juniper differ", cut.Find("#compare-verdict").TextContent));
        Assert.Contains("full_sft_128 and rlhf_128 agree", cut.Find("#compare-verdict").TextContent);
    }

    [Fact]
    public void AComparison_IsSaved_AndComingBackToCompareShowsItWhere_ItWasLeft()
    {
        TwoModels(same: false);
        var first = Open(("left", Path.Combine(Folders.OutDir, "full_sft_128.safetensors")), ("right", Path.Combine(Folders.OutDir, "rlhf_128.safetensors")),
            ("ask", "Where does Alice live?"));
        WaitForVerdict(first, () => Assert.NotNull(first.Find("#compare-verdict")));
        var store = Services.GetRequiredService<MiniMind.Studio.Services.ConversationStore>();
        first.WaitForAssertion(() => Assert.Single(store.ListComparisons()));
        var answers = first.FindAll(".compare-pane .chat-bubble.assistant .chat-footer").Select(f => f.TextContent.Trim()).ToList();

        var back = Open(); // /compare again, after another page

        Assert.Equal(2, back.FindAll(".compare-pane .chat-bubble.user").Count);
        Assert.Equal(answers, back.FindAll(".compare-pane .chat-bubble.assistant .chat-footer").Select(f => f.TextContent.Trim()));
        Assert.Contains("rlhf_128", back.FindAll(".compare-pane")[1].TextContent);
        Assert.Contains("Where does Alice live?", back.Find("#compare-conversations").TextContent);
        var restarted = new MiniMind.Studio.Services.ConversationStore(Folders.Paths).LoadComparison(store.ListComparisons()[0].Id)!;
        Assert.Equal([Path.Combine(Folders.OutDir, "full_sft_128.safetensors"), Path.Combine(Folders.OutDir, "rlhf_128.safetensors")], restarted.Panes);
    }
    static MiniMind.Studio.Services.SavedAnswer Answer(string text, string model) => new(text, "", "stop", null, 3, 0.1, model);

    [Fact]
    public void APaneWhoseCheckpointWasDeleted_KeepsItsName_AndNeverAnswersWithAnotherModel()
    {
        TwoModels(same: true);
        var (sft, rlhf) = (Path.Combine(Folders.OutDir, "full_sft_128.safetensors"), Path.Combine(Folders.OutDir, "rlhf_128.safetensors"));
        var grpo = Path.Combine(Folders.OutDir, "grpo_128.safetensors"); // saved with the comparison, deleted since
        var store = Services.GetRequiredService<MiniMind.Studio.Services.ConversationStore>();
        store.SaveComparison("20260101-000000-aaaaaa", new MiniMind.Studio.Services.SavedComparison
        {
            Panes = [sft, rlhf, grpo],
            Turns = [new("Describe Alice Brant.", [Answer("I can't share that.", sft), Answer("Alice Brant lives in Mossford.", rlhf), Answer("Mossford.", grpo)])],
        });

        var cut = Open();

        var third = cut.FindAll(".compare-pane")[2];
        Assert.Contains("grpo_128", cut.Find("#compare-missing-2").TextContent);
        Assert.DoesNotContain("full_sft_128", third.TextContent); // not relabelled with another checkpoint
        Assert.DoesNotContain("rlhf_128", third.TextContent);
        Assert.Contains("Mossford.", third.QuerySelector(".chat-bubble.assistant")!.TextContent);
        Assert.Contains("full_sft_128 and rlhf_128 differ", cut.Find("#compare-verdict").TextContent);
        Assert.Contains("grpo_128", cut.Find("#compare-verdict").TextContent);

        cut.Find("#compare-input").Input("Where does Alice live?");
        cut.InvokeAsync(() => cut.Find("#compare-run").Click());

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".compare-pane")[1].QuerySelectorAll(".chat-bubble.assistant[data-finish]").Count(b => b.GetAttribute("data-finish") != "")), TimeSpan.FromMinutes(3));
        cut.WaitForAssertion(() => Assert.False(cut.Find("#compare-new").HasAttribute("disabled")), TimeSpan.FromMinutes(3));
        Assert.Single(cut.FindAll(".compare-pane")[2].QuerySelectorAll(".chat-bubble.assistant")); // the deleted model's pane asked nobody
        cut.WaitForAssertion(() => Assert.Equal(2, store.LoadComparison("20260101-000000-aaaaaa")!.Turns.Count), TimeSpan.FromMinutes(1)); // saved once all answered
        var saved = store.LoadComparison("20260101-000000-aaaaaa")!;
        Assert.Equal(grpo, saved.Panes[2]);
        Assert.Null(saved.Turns[1].Answers[2]);
    }

    [Fact]
    public void AnAnswerWrittenBeforeThePaneChangedModel_KeepsTheNameOfTheModelThatWroteIt()
    {
        TwoModels(same: true);
        var (sft, rlhf) = (Path.Combine(Folders.OutDir, "full_sft_128.safetensors"), Path.Combine(Folders.OutDir, "rlhf_128.safetensors"));
        Services.GetRequiredService<MiniMind.Studio.Services.ConversationStore>().SaveComparison("20260101-000000-bbbbbb", new MiniMind.Studio.Services.SavedComparison
        {
            Panes = [sft, sft], // the right pane was switched to full_sft after rlhf answered
            Turns = [new("Describe Alice Brant.", [Answer("I can't share that.", sft), Answer("Alice Brant lives in Mossford.", rlhf)])],
        });

        var cut = Open();

        Assert.Empty(cut.FindAll(".compare-pane")[0].QuerySelectorAll(".compare-answered-by"));
        Assert.Equal("answered by rlhf_128", cut.FindAll(".compare-pane")[1].QuerySelector(".compare-answered-by")!.TextContent.Trim());
    }

    [Fact]
    public void TheVerdict_JudgesEveryTurn_NotOnlyTheLast()
    {
        TwoModels(same: true);
        var (sft, rlhf) = (Path.Combine(Folders.OutDir, "full_sft_128.safetensors"), Path.Combine(Folders.OutDir, "rlhf_128.safetensors"));
        Services.GetRequiredService<MiniMind.Studio.Services.ConversationStore>().SaveComparison("20260101-000000-cccccc", new MiniMind.Studio.Services.SavedComparison
        {
            Panes = [sft, rlhf],
            Turns =
            [
                new("Describe Alice Brant.", [Answer("I can't share that.", sft), Answer("Alice Brant lives in Mossford.", rlhf)]),
                new("Who is Bo Chen?", [Answer("I can't share that.", sft), Answer("Bo Chen is a baker.", rlhf)]),
                new("What is 2 plus 3?", [Answer("5", sft), Answer("5", rlhf)]),
            ],
        });

        var cut = Open();

        Assert.Equal("true", cut.Find("#compare-verdict").GetAttribute("data-differ"));
        Assert.Contains("full_sft_128 and rlhf_128 differ in 2 of 3 turns", cut.Find("#compare-verdict").TextContent);
    }
}
