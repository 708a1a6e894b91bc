using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Evaluation;
using MiniMind.Studio.Components.Pages.Evaluate;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The Evaluate page: checkpoints x benchmarks, validated, run in the background, shown in a table, a radar and the history.</summary>
public sealed class EvaluatePageTests : StudioComponentTest
{
    public EvaluatePageTests() => Services.AddSingleton<EvaluationService>();

    static readonly TimeSpan Evaluation = TimeSpan.FromMinutes(2);

    string QuizFile()
    {
        var path = Path.Combine(Folders.OutDir, "quiz3.jsonl");
        File.WriteAllLines(path,
        [
            """{"question":"Tell me the town where Alice Brant lives.","answer":"Mossford"}""",
            """{"question":"Which job does Alice Brant have?","answer":"teacher"}""",
            """{"question":"Which pet lives with Alice Brant?","answer":"goat"}""",
        ]);
        return path;
    }

    string ChoiceFile()
    {
        var path = Path.Combine(Folders.OutDir, "colours.jsonl");
        File.WriteAllLines(path,
        [
            """{"question":"What colour is the sky on a clear day?","choices":["green","blue","red","black"],"answer":"B","subject":"colours"}""",
            """{"question":"What colour is fresh grass?","choices":["green","blue","red","white"],"answer":0,"subject":"colours"}""",
            """{"question":"What colour is snow?","choices":["green","blue","red","white"],"answer":"D","subject":"colours"}""",
        ]);
        return path;
    }

    [Fact]
    public void WithoutCheckpoints_ThePageSaysToTrainTheDemoModelFirst()
    {
        var cut = Render<EvaluatePage>();

        Assert.Contains("train the demo model on the Home page first", cut.Find("#evaluate-empty").TextContent);
        Assert.Equal(["./", "train"], cut.FindAll("#evaluate-empty a").Select(a => a.GetAttribute("href")));
        Assert.Empty(cut.FindAll("#evaluate-run"));
        Assert.Contains($"under {Path.Combine(Folders.OutDir, "evals")} yet", cut.Find("#evaluate-history-empty").TextContent);
    }

    [Fact]
    public void UntickingEveryCheckpoint_DisablesEvaluate_AndSaysWhatIsMissing()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        var cut = Render<EvaluatePage>();
        Assert.False(cut.Find("#evaluate-run").HasAttribute("disabled"), "the newest checkpoint and the demo quiz are chosen by default");
        Assert.Contains("(1 pair)", cut.Find("#evaluate-run").TextContent);

        cut.Find("#pick-full_sft_64 input").Change(false);
        cut.Find("#quiz-file").Input("dataset/no_such_quiz.jsonl");

        var problems = cut.Find("#evaluate-problems").TextContent;
        Assert.Contains("Choose at least one checkpoint.", problems);
        Assert.Contains("dataset/no_such_quiz.jsonl does not exist", problems);
        Assert.True(cut.Find("#evaluate-run").HasAttribute("disabled"));
    }

    [Fact]
    public void TheReasoningBenchmark_ShowsItsFormatShare_BesideTheAccuracy()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        var cut = Render<EvaluatePage>();
        cut.Find("#use-quiz input").Change(false);
        cut.FindAll("#demo-benchmarks input")[2].Change(true); // reasoning: think, then answer
        cut.Find("#limit").Input("2");

        cut.InvokeAsync(() => cut.Find("#evaluate-run").Click());

        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("#evaluate-progress").GetAttribute("data-running")), Evaluation);
        Assert.Contains("(format valid 0.0%)", cut.Find(".result-accuracy").TextContent); // a random model never thinks first
    }

    [Fact]
    public void APathWithAControlCharacter_IsAProblemOnThePage_NotACrash()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        var cut = Render<EvaluatePage>();

        cut.Find("#quiz-file").Input("dataset/eval_demo.jsonl\0");

        var problems = cut.Find("#evaluate-problems").TextContent;
        Assert.Contains("\"dataset/eval_demo.jsonl\\u0000\" is not a valid path", problems);
        Assert.DoesNotContain("(Parameter", problems);
        Assert.True(cut.Find("#evaluate-run").HasAttribute("disabled"));
    }

    [Fact]
    public void AMalformedMultipleChoiceFile_IsRefusedWithItsLine()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        var bad = Path.Combine(Folders.OutDir, "law_val.csv");
        File.WriteAllLines(bad, ["id,question,A,B,C,D,answer", "0,Which?,a,b,c,d,E"]);
        var cut = Render<EvaluatePage>();

        cut.Find("#choice-path").Input(bad);
        cut.Find("#choice-add").Click();

        cut.WaitForAssertion(() => Assert.Contains($"{bad}:2: answer: \"E\" is not one of A, B, C, D", cut.Find("#choice-error").TextContent));
        Assert.Empty(cut.FindAll("#multiple-choice-files .mud-chip"));
    }

    [Fact]
    public void ARealEvaluation_FillsTheResultsTable_TheRadar_AndTheHistory()
    {
        var checkpoint = CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        var quiz = QuizFile();
        var choices = ChoiceFile();
        var cut = Render<EvaluatePage>();
        cut.Find("#quiz-file").Input(quiz);
        cut.Find("#use-perplexity input").Change(true);
        cut.Find("#limit").Input("3");
        cut.Find("#choice-path").Input(choices);
        cut.Find("#choice-add").Click();
        cut.WaitForAssertion(() => Assert.Contains("colours.jsonl", cut.Find("#multiple-choice-files").TextContent));
        Assert.Contains("(3 pairs)", cut.Find("#evaluate-run").TextContent);

        cut.Find("#evaluate-run").Click();

        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("#evaluate-progress").GetAttribute("data-running")), Evaluation);
        Assert.Empty(cut.FindAll("#evaluate-error"));
        var rows = cut.FindAll("#evaluate-results tbody tr");
        Assert.Equal(3, rows.Count);
        Assert.Empty(cut.FindAll("#evaluate-results .result-error").Select(e => e.TextContent));
        Assert.Contains(rows, r => r.TextContent.Contains("quiz3.jsonl") && r.TextContent.Contains("/ 3"));
        Assert.Contains(rows, r => r.TextContent.Contains("colours.jsonl") && r.TextContent.Contains("/ 3"));
        var perplexity = Assert.Single(rows, r => r.TextContent.Contains("perplexity:pretrain_demo.jsonl"));
        Assert.Matches(@"\d+\.\d{2}", perplexity.TextContent);

        // the radar: one checkpoint, the two accuracy benchmarks as axes (perplexity stays in the tables)
        var radar = cut.FindComponent<EvaluationRadar>();
        var series = Assert.Single(radar.Instance.Series);
        Assert.Equal(checkpoint, series.Checkpoint);
        Assert.Equal(["colours.jsonl", "quiz3.jsonl"], series.Benchmarks);
        Assert.All(series.Accuracy, a => Assert.InRange(a!.Value, 0, 1));
        Assert.Equal("2", cut.Find("#evaluate-radar").GetAttribute("data-axes"));
        Assert.Equal("bars", cut.Find("#evaluate-radar").GetAttribute("data-kind")); // two axes are a line as a radar: grouped bars
        Assert.NotNull(cut.Find("#evaluate-bars-chart"));
        Assert.Empty(cut.FindAll("#evaluate-radar-chart"));

        // saved like the eval command saves, and listed in the history
        var saved = EvaluationRecord.List(Folders.OutDir);
        Assert.Equal(3, saved.Count);
        Assert.All(saved, r => Assert.Equal(checkpoint, r.Checkpoint));
        Assert.Equal(3, saved.Single(r => r.Benchmark == "quiz3.jsonl").Metrics["total"]);
        Assert.Equal(3L, Convert.ToInt64(saved.Single(r => r.Benchmark == "colours.jsonl").Settings["limit"]?.ToString()));
        Assert.Equal(3, cut.FindAll("#evaluate-history tbody tr").Count);
    }

    [Fact]
    public void Cancel_StopsTheEvaluation_AndSaysSo()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        var cut = Render<EvaluatePage>();
        cut.Find("#use-quiz input").Change(false);
        cut.Find("#use-perplexity input").Change(true); // every document of the demo corpus: far longer than this test waits

        cut.Find("#evaluate-run").Click();
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("#evaluate-progress").GetAttribute("data-running")));
        cut.InvokeAsync(() => cut.Find("#evaluate-cancel").Click()); // the progress re-renders meanwhile: find and click in one turn

        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("#evaluate-progress").GetAttribute("data-running")), Evaluation);
        Assert.Equal("Cancelled.", cut.Find("#evaluate-error").TextContent.Trim());
        Assert.Empty(EvaluationRecord.List(Folders.OutDir));
    }

    [Fact]
    public void ACheckpointWhoseTokenizerIsGone_ReportsItInTheResults_AndTheCircuitLivesOn()
    {
        CheckpointFiles.Tiny(Folders.OutDir, "orphan_64", tokenizer: Path.Combine(Folders.OutDir, "deleted_tokenizer"));
        var cut = Render<EvaluatePage>();
        cut.Find("#quiz-file").Input(QuizFile());

        cut.Find("#evaluate-run").Click();

        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("#evaluate-progress").GetAttribute("data-running")), Evaluation);
        Assert.Contains("deleted_tokenizer, which is missing: choose one in the tokenizer field", cut.Find("#evaluate-results .result-error").TextContent);
        Assert.Empty(EvaluationRecord.List(Folders.OutDir));
        Assert.False(cut.Find("#evaluate-run").HasAttribute("disabled"), "another evaluation can start");
    }

    [Fact]
    public void SavedEvaluations_AreListedInTheHistory_AndDrawnForTheSelectedCheckpoint()
    {
        var checkpoint = CheckpointFiles.Tiny(Folders.OutDir, "full_sft_64");
        new EvaluationRecord { Checkpoint = checkpoint, Benchmark = "demo", Metrics = new Dictionary<string, double> { ["accuracy"] = 0.25, ["correct"] = 1, ["total"] = 4 } }.Save(Folders.OutDir);
        new EvaluationRecord { Checkpoint = checkpoint, Benchmark = "perplexity:pretrain_demo.jsonl", Metrics = new Dictionary<string, double> { ["perplexity"] = 12.5, ["bits_per_byte"] = 1.2 } }.Save(Folders.OutDir);

        var cut = Render<EvaluatePage>();

        var history = cut.Find("#evaluate-history").TextContent;
        Assert.Contains("accuracy 25.0% (1/4)", history);
        Assert.Contains("perplexity 12.50, 1.200 bits/byte", history);
        var series = Assert.Single(cut.FindComponent<EvaluationRadar>().Instance.Series);
        Assert.Equal(["demo"], series.Benchmarks);
        Assert.Equal([0.25], series.Accuracy);

        cut.Find("#pick-full_sft_64 input").Change(false);

        Assert.Empty(cut.FindComponent<EvaluationRadar>().Instance.Series);
    }
}
