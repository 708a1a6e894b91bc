using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Training;
using MiniMind.Studio.Components.Pages.Train;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The Train form validates as the user types and estimates the model's size.</summary>
public sealed class TrainFormTests : StudioComponentTest
{
    [Fact]
    public void HeadsThatDoNotDivideDim_ShowAMessageOnTheField_AndDisableStart()
    {
        var cut = Render<TrainForm>();
        Assert.False(cut.Find("#train-start").HasAttribute("disabled"));

        cut.Find("#f-n_heads").Input("3");

        cut.WaitForAssertion(() => Assert.Contains("Must divide dim (dim 128, n_heads 3)", cut.Markup));
        Assert.True(cut.Find("#train-start").HasAttribute("disabled"));
        Assert.Equal("Must divide dim (dim 128, n_heads 3).", cut.Instance.Errors["n_heads"]); // the engine's rule, said under the field
    }

    [Fact]
    public void AFieldFlaggedBecauseOfAnother_IsClearedWhenTheOtherIsFixed()
    {
        var cut = Render<TrainForm>();

        cut.Find("#f-n_heads").Input("3");
        cut.Find("#f-n_heads").Blur();
        cut.WaitForAssertion(() => Assert.True(cut.Instance.Errors.ContainsKey("n_kv_heads")));
        Assert.NotEmpty(cut.FindAll(".mud-input-control:has(#f-n_kv_heads) .mud-input-error"));
        // Tab lands on KV heads, then the user goes back to heads: KV heads is left, and validates itself
        cut.Find("#f-n_kv_heads").Blur();
        cut.Find("#f-n_heads").Input("4");
        cut.Find("#f-n_heads").Blur();

        cut.WaitForAssertion(() => Assert.Empty(cut.Instance.Errors));
        Assert.Empty(cut.FindAll(".mud-input-control:has(#f-n_kv_heads) .mud-input-error"));
        Assert.Empty(cut.FindAll(".mud-input-control:has(#f-n_heads) .mud-input-error"));
    }

    [Fact]
    public void AnInvalidHyperparameter_IsNamedByItsField()
    {
        var cut = Render<TrainForm>();

        cut.Find("#f-batch_size").Input("0");

        cut.WaitForAssertion(() => Assert.Contains("batch_size", cut.Instance.Errors.Keys));
        Assert.Equal("Must be positive.", cut.Instance.Errors["batch_size"]);
        Assert.True(cut.Find("#train-start").HasAttribute("disabled"));
    }

    [Fact]
    public void AModelTooBigForThisMachine_IsRefusedBeforeItStarts()
    {
        var cut = Render<TrainForm>();

        cut.Find("#f-dim").Input("100000");

        cut.WaitForAssertion(() => Assert.Contains("this machine has", cut.Find("#form-error").TextContent));
        Assert.True(cut.Find("#train-start").HasAttribute("disabled"));
        cut.Find("#f-dim").Input("128");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#form-error")));
        Assert.False(cut.Find("#train-start").HasAttribute("disabled"));
    }

    [Fact]
    public void ALaterStage_WhoseStartingCheckpointIsMissing_SaysSo_UntilOneIsThere()
    {
        var cut = Render<TrainForm>(p => p.Add(f => f.Model, TrainFormModel.For(TrainingStage.Sft, TrainFormModel.SeedRecipeName)));

        Assert.Contains("does not exist: train the previous stage first", cut.Instance.Errors["init_from"]);
        Assert.True(cut.Find("#train-start").HasAttribute("disabled"));
        var expected = cut.Instance.Errors["init_from"].Split(' ')[4].TrimEnd(',');
        CheckpointFiles.Tiny(Folders.OutDir, Path.GetFileNameWithoutExtension(expected), stage: "pretrain");
        cut.Find("#f-batch_size").Input("4"); // any edit validates again

        cut.WaitForAssertion(() => Assert.False(cut.Instance.Errors.ContainsKey("init_from")));
    }

    [Fact]
    public void AnOutputNameThatExists_IsFlaggedAsReplaced_WithoutBlockingTheRun()
    {
        var cut = Render<TrainForm>();
        Assert.DoesNotContain("the run keeps it", cut.Markup);
        CheckpointFiles.Tiny(Folders.OutDir, "mine", stage: "pretrain");

        cut.Find("#f-output_name").Input("mine");

        cut.WaitForAssertion(() => Assert.Contains("mine.safetensors exists (pretrain, step 1): the run keeps it under replaced/ before writing its own.", cut.Markup));
        Assert.False(cut.Find("#train-start").HasAttribute("disabled"));
    }

    [Fact]
    public void TheEstimate_FollowsTheArchitecture()
    {
        var cut = Render<TrainForm>();
        var tiny = cut.Find("#estimate").TextContent;

        cut.Find("#f-n_layers").Input("8");

        cut.WaitForAssertion(() => Assert.NotEqual(tiny, cut.Find("#estimate").TextContent));
        var model = cut.Instance.Model;
        Assert.Equal(8, model.Layers);
        var vocab = MiniMind.Engine.Tokenization.ByteLevelBpeTokenizer.Load(CheckpointFiles.DemoTokenizer).VocabSize;
        Assert.Contains($"{model.Config(vocab).ParameterCount:N0}", cut.Find("#estimate").TextContent);
        Assert.Contains("training memory", cut.Find("#estimate").TextContent);
    }

    [Fact]
    public void StartHandsTheFormsOptionsToThePage()
    {
        MiniMind.Engine.Training.TrainingOptions? started = null;
        var cut = Render<TrainForm>(p => p.Add(f => f.OnStart, o => started = o));

        cut.Find("#f-max_steps").Input("7");
        cut.Find("#train-start").Click();

        Assert.NotNull(started);
        Assert.Equal(7, started.MaxSteps);
        Assert.Equal("tiny", started.Preset);
        Assert.Equal(128, started.Model!.Dim);
    }

    [Fact]
    public void TheOutputNamesNote_FollowsTheCheckpointARunWrites()
    {
        var training = Services.GetRequiredService<MiniMind.Studio.Services.TrainingService>();
        var cut = Render<TrainForm>();
        cut.Find("#f-output_name").Input("growing");
        Assert.DoesNotContain("growing.safetensors exists", cut.Markup);

        var run = training.Start(MiniMind.Studio.Tests.Services.TinyRun.Pretrain(3, "growing") with { SaveEvery = 1 });

        // no click, no input: the run's saves reach the form
        cut.WaitForAssertion(() => Assert.Contains("growing.safetensors exists (pretrain, step 3)", cut.Markup), TimeSpan.FromMinutes(2));
        cut.WaitForAssertion(() => Assert.True(training.Find(run.Id)!.IsFinished), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void AMaxSeqLenWithNoRoomForAnAnswer_IsWarnedAboutWhileEditing()
    {
        var cut = Render<TrainForm>(p => p.Add(f => f.Model, TrainFormModel.For(TrainingStage.Sft, TrainFormModel.DemoRecipeName, Folders.OutDir)));
        Assert.DoesNotContain("Too short to train anything", cut.Markup); // the recipe's 96

        cut.Find("#f-max_seq_len").Input("3");

        cut.WaitForAssertion(() => Assert.Contains("Too short to train anything: this tokenizer's chat template puts even a one-word answer at token", cut.Markup));
    }

    [Fact]
    public void ADatasetOfAnotherKind_IsWarnedAbout_UnderTheField()
    {
        var model = TrainFormModel.For(TrainingStage.Sft, TrainFormModel.DemoRecipeName, Folders.OutDir);
        var cut = Render<TrainForm>(p => p.Add(f => f.Model, model));
        Assert.DoesNotContain("records would be skipped", cut.Markup); // the recipe's SFT file

        model.DataPath = model.DataPath!.Replace("sft_demo.jsonl", "dpo_demo.jsonl");
        cut.Render();

        Assert.Contains("dpo_demo.jsonl holds dpo records; sft reads sft records, so its records would be skipped as bad.", cut.Markup);
        model.DataPath = model.DataPath.Replace("dpo_demo.jsonl", "reason_demo.jsonl"); // conversations: SFT data too
        cut.Render();
        Assert.DoesNotContain("records would be skipped", cut.Markup);
    }

    [Fact]
    public void StartComesBack_WhenTheRunItQueuedEnds()
    {
        var training = Services.GetRequiredService<MiniMind.Studio.Services.TrainingService>();
        IRenderedComponent<TrainForm>? cut = null;
        cut = Render<TrainForm>(p => p.Add(f => f.OnStart, _ => cut!.Instance.Queued(training.Start(MiniMind.Studio.Tests.Services.TinyRun.Pretrain(2)).Id)));

        cut.Find("#train-start").Click();

        // once the run it queued has ended (not before: the same settings stay "Queued" while it runs)
        cut.WaitForAssertion(() =>
        {
            Assert.True(Assert.Single(training.Runs()).IsFinished);
            Assert.NotEqual("Queued", cut.Find("#train-start").TextContent.Trim());
        }, TimeSpan.FromMinutes(2));
        Assert.False(cut.Find("#train-start").HasAttribute("disabled"));
    }

    [Fact]
    public async Task ADoubleClickOnStart_QueuesOneRun_UntilASettingChanges()
    {
        var started = new List<MiniMind.Engine.Training.TrainingOptions>();
        var cut = Render<TrainForm>(p => p.Add(f => f.OnStart, o => started.Add(o)));

        // both clicks leave the browser before the re-render that disables the button: the second is dispatched to the
        // handler the button had when it was clicked
        var start = cut.Find("#train-start");
        await Task.WhenAll(start.ClickAsync(new()), start.ClickAsync(new()));
        Assert.Single(started);
        Assert.Equal("Queued", cut.Find("#train-start").TextContent.Trim());
        Assert.True(cut.Find("#train-start").HasAttribute("disabled"));

        // another setting: another run
        cut.Find("#f-max_steps").Input("9");
        Assert.Equal("Start", cut.Find("#train-start").TextContent.Trim());
        cut.Find("#train-start").Click();
        Assert.Equal(2, started.Count);
        Assert.Equal(9, started[1].MaxSteps);

        // a start the page could not make offers Start again for the same settings
        await cut.InvokeAsync(cut.Instance.StartFailed);
        Assert.Equal("Start", cut.Find("#train-start").TextContent.Trim());
    }

    [Fact]
    public void TheFormOffersTheDemoRecipe_AndTheSeedsDefaultsStayAPresetAway()
    {
        var demo = Render<TrainForm>(p => p.Add(f => f.Model, TrainFormModel.For(TrainingStage.Dpo, TrainFormModel.DemoRecipeName, Folders.OutDir)));
        var seed = Render<TrainForm>(p => p.Add(f => f.Model, TrainFormModel.For(TrainingStage.Dpo, TrainFormModel.SeedRecipeName)));

        Assert.Equal((3e-4, 1.0, 3), (demo.Instance.Model.LearningRate, demo.Instance.Model.DpoSftWeight, demo.Instance.Model.Epochs));
        Assert.Equal(Path.Combine(Folders.OutDir, "demo_full_sft.safetensors"), demo.Instance.Model.InitFrom);
        Assert.Contains("demo_full_sft.safetensors does not exist: train the stage that writes it first", demo.Instance.Errors["init_from"]);
        Assert.Equal((1e-8, 0.0), (seed.Instance.Model.LearningRate, seed.Instance.Model.DpoSftWeight)); // the seed's DPO rate
        Assert.NotNull(demo.Find("#f-dpo_sft_weight"));
    }

    [Fact]
    public void ADistillationStudentFromScratch_ShowsItsArchitecture_AndStartsWithIt()
    {
        MiniMind.Engine.Training.TrainingOptions? started = null;
        CheckpointFiles.Tiny(Folders.OutDir, "teacher", stage: "sft");
        var model = TrainFormModel.For(TrainingStage.Distill, TrainFormModel.DemoRecipeName, Folders.OutDir);
        model.Teacher = Path.Combine(Folders.OutDir, "teacher.safetensors");
        var cut = Render<TrainForm>(p => p.Add(f => f.Model, model).Add(f => f.OnStart, o => started = o));

        Assert.Equal("64", cut.Find("#f-dim").GetAttribute("value")); // the student's width, editable
        cut.Find("#train-start").Click();

        Assert.NotNull(started);
        Assert.Equal(MiniMind.Engine.Training.TrainingOptions.Scratch, started.InitFrom);
        Assert.Equal((64, 2), (started.Model!.Dim, started.Model.NLayers));
    }

    [Fact]
    public void TheGrpoStage_ShowsItsSamplingAndRewardFields_AndStartsWithThem()
    {
        MiniMind.Engine.Training.TrainingOptions? started = null;
        CheckpointFiles.Tiny(Folders.OutDir, "demo_full_sft", stage: "sft");
        var cut = Render<TrainForm>(p => p.Add(f => f.Model, TrainFormModel.For(TrainingStage.Grpo, TrainFormModel.DemoRecipeName, Folders.OutDir))
            .Add(f => f.OnStart, o => started = o));
        Assert.Equal("8", cut.Find("#f-grpo_group_size").GetAttribute("value")); // the demo recipe's
        Assert.Empty(cut.FindAll("#f-dpo_sft_weight"));

        cut.Find("#f-grpo_group_size").Input("1");
        cut.WaitForAssertion(() => Assert.Contains("at least 2", cut.Instance.Errors["grpo_group_size"]));
        Assert.True(cut.Find("#train-start").HasAttribute("disabled"));
        cut.Find("#f-grpo_group_size").Input("4");
        cut.Find("#f-reward_format").Input("0.5");
        cut.Find("#f-grpo_temperature").Input("0.7");
        cut.WaitForAssertion(() => Assert.Empty(cut.Instance.Errors));
        cut.Find("#train-start").Click();

        Assert.NotNull(started);
        Assert.Equal(TrainingStage.Grpo, started.Stage);
        Assert.Equal((4, 0.5, 0.7, 24), (started.GrpoGroupSize, started.RewardFormat, started.GrpoTemperature, started.GrpoMaxNewTokens));
        Assert.Equal("dataset/grpo_demo.jsonl", started.DataPath);
    }

    [Fact]
    public void OptionsTheFormDoesNotShow_AreKeptFromTheOptionsItWasLoadedWith()
    {
        var model = TrainFormModel.For(TrainingStage.Sft);
        model.Load(model.ToOptions(6400) with { AdamBeta1 = 0.8, AdamEps = 1e-6, SyncEvery = 5, LoraDropout = 0.1, ChunkedHead = false, FailOnBadRecords = true });
        model.Epochs = 3;

        var options = model.ToOptions(6400);

        Assert.Equal((0.8, 1e-6, 5, 0.1, false, true), (options.AdamBeta1, options.AdamEps, options.SyncEvery, options.LoraDropout, options.ChunkedHead, options.FailOnBadRecords));
        Assert.Equal(3, options.Epochs);
    }

    [Fact]
    public void EditingTheArchitecture_NamesThePresetCustom_InTheFormAndTheOptions()
    {
        MiniMind.Engine.Training.TrainingOptions? started = null;
        var cut = Render<TrainForm>(p => p.Add(f => f.OnStart, o => started = o));
        Assert.Equal("tiny", cut.Find("#f-preset").GetAttribute("value"));

        cut.Find("#f-n_layers").Input("6");
        cut.WaitForAssertion(() => Assert.Equal("custom", cut.Find("#f-preset").GetAttribute("value")));
        cut.Find("#train-start").Click();

        cut.WaitForAssertion(() => Assert.NotNull(started));
        Assert.Equal(("custom", 6), (started!.Preset, started.Model!.NLayers));
        cut.Find("#f-n_layers").Input("4"); // back to tiny's values: tiny again
        cut.WaitForAssertion(() => Assert.Equal("tiny", cut.Find("#f-preset").GetAttribute("value")));
    }

    [Fact]
    public void TheAdvancedOptions_AreOnTheForm_ValidatedAndStarted()
    {
        MiniMind.Engine.Training.TrainingOptions? started = null;
        var cut = Render<TrainForm>(p => p.Add(f => f.OnStart, o => started = o));
        cut.InvokeAsync(() => cut.Find("#advanced-options .mud-expand-panel-header").Click());

        cut.WaitForElement("#f-adam_eps").Input("0");
        cut.WaitForAssertion(() => Assert.Equal("Must be positive.", cut.Instance.Errors["adam_eps"]));
        Assert.True(cut.Find("#train-start").HasAttribute("disabled"));
        cut.Find("#f-adam_eps").Input("1e-6");
        cut.Find("#f-adam_beta1").Input("0.8");
        cut.Find("#f-sync_every").Input("5");
        cut.WaitForAssertion(() => Assert.Empty(cut.Instance.Errors));
        cut.Find("#train-start").Click();

        cut.WaitForAssertion(() => Assert.NotNull(started));
        Assert.Equal((0.8, 1e-6, 5), (started!.AdamBeta1, started.AdamEps, started.SyncEvery));
    }

    [Fact]
    public void EveryProblem_ShowsAtOnce_EachUnderItsField()
    {
        var cut = Render<TrainForm>();

        cut.Find("#f-batch_size").Input("0");
        cut.Find("#f-learning_rate").Input("0");
        cut.Find("#f-n_kv_heads").Input("3");

        cut.WaitForAssertion(() => Assert.Equal(["batch_size", "learning_rate", "n_kv_heads"], cut.Instance.Errors.Keys.Order()));
        Assert.Equal(3, cut.FindAll(".mud-input-helper-text.mud-input-error").Count);
    }
}
