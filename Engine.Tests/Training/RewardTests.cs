using MiniMind.Engine.Training;
using MiniMind.Engine.Training.Rewards;

namespace MiniMind.Engine.Tests.Training;

public sealed class RewardTests
{
    static RewardContext Completion(string text, string reference = "Mossford", int tokens = 5, bool finished = true) =>
        new("Where does Alice live?", reference, text, Enumerable.Range(0, tokens).Select(i => (long)i).ToArray(), finished);

    [Theory]
    [InlineData("exact", "Mossford", 1)]
    [InlineData("exact", "  Mossford\n", 1)]
    [InlineData("exact", "mossford", 0)]
    [InlineData("exact", "Alice lives in Mossford.", 0)]
    [InlineData("normalized", "mossford!", 1)]
    [InlineData("normalized", "Alice lives in Mossford.", 0)]
    [InlineData("normalized", "", 0)]
    [InlineData("contains", "Alice lives in Mossford.", 1)]
    [InlineData("contains", "ALICE LIVES IN MOSSFORD", 1)]
    [InlineData("contains", "Alice lives in Mossfordshire.", 0)]
    [InlineData("contains", "Alice lives in Redhollow.", 0)]
    [InlineData("contains", "<think>Mossford? no</think><answer>Redhollow</answer>", 0)] // only the answer part counts
    [InlineData("contains", "<think>hm</think><answer>In Mossford.</answer>", 1)]
    public void AnswerMatch_ComparesTheAnswerPart_ByItsMode(string mode, string completion, double expected) =>
        Assert.Equal(expected, new AnswerMatchReward(mode).Score(Completion(completion)));

    /// <summary>
    /// Agent-RL facts (gt): the share the answer holds, as the current original's validate_gt_in_text counts them (the
    /// expected shares were printed by that function, run on Debian's Python with these inputs).
    /// </summary>
    [Theory]
    [InlineData("北京 28°C，晴。", new[] { "28°C", "多云" }, 0.5)]
    [InlineData("Total: 1,250 dollars", new[] { "1250" }, 1)]
    [InlineData("It is 12 now", new[] { "12.00" }, 1)]
    [InlineData("PARIS is nice", new[] { "Paris" }, 1)]
    [InlineData("a12 and 7.5.", new[] { "12", "7.5" }, 1)]
    [InlineData("v12x", new[] { "12.0" }, 0)]
    [InlineData("-3 degrees", new[] { "-3.0" }, 1)]
    public void AnswerMatch_WithFacts_ScoresTheShareTheAnswerHolds(string completion, string[] facts, double expected)
    {
        foreach (var mode in AnswerMatchReward.Modes)
            Assert.Equal(expected, new AnswerMatchReward(mode).Score(Completion(completion, reference: "") with { Facts = facts }));
    }

    [Fact]
    public void APromptWithoutReference_ScoresNothingOnTheAnswer()
    {
        Assert.Equal(0, new AnswerMatchReward("contains").Score(Completion("anything", reference: "")));
        Assert.Equal(0, new AnswerMatchReward("exact").Score(Completion("", reference: "")));
        Assert.Equal(0, new NumericReward().Score(Completion("42", reference: "")));
    }

    [Theory]
    [InlineData("3 plus 4 is 7.", "7", 1)]
    [InlineData("3 plus 4 is 17.", "7", 0)]
    [InlineData("3加4等于7。", "7", 1)]
    [InlineData("3加4等于17。", "7", 0)]
    [InlineData("Lin Yue lives in Lake Orrin.", "Lake Orrin", 1)]
    [InlineData("林月住在奥林湖。", "奥林湖", 1)]
    [InlineData("林月住在苔河镇。", "奥林湖", 0)]
    public void Contains_MatchesWholeWords_ExceptInScriptsWithoutSpaces(string completion, string reference, double expected) =>
        Assert.Equal(expected, new AnswerMatchReward("contains").Score(Completion(completion, reference)));

    [Theory]
    [InlineData("3 plus 4 is 7.", "7", 1)]
    [InlineData("7 is what 3 plus 4 makes: 7", "7", 1)]
    [InlineData("3 plus 4 is 8.", "7", 0)]
    [InlineData("The total is 1,250.", "1250", 1)]
    [InlineData("half of 5 is 2.5", "2.50", 1)]
    [InlineData("minus: -3", "-3", 1)]
    [InlineData("no number here", "7", 0)]
    [InlineData("Mossford is 7 miles away", "Mossford", 0)] // a reference that is not a number scores nothing
    [InlineData("<think>4+3=7 or 8</think><answer>8</answer>", "8", 1)]
    [InlineData("３ plus ４ is ７", "7", 1)] // full-width digits read as digits
    public void Numeric_ComparesTheLastNumberOfTheAnswer(string completion, string reference, double expected) =>
        Assert.Equal(expected, new NumericReward().Score(Completion(completion, reference)));

    [Theory]
    [InlineData("<think>Alice lives by the orchards.</think><answer>Mossford</answer>", 1)]
    [InlineData("  <think>x</think>\n<answer>y</answer>\n", 1)]
    [InlineData("<think>x</think><answer>y</answer> and more", 0.5)]
    [InlineData("<think>a</think><think>b</think><answer>y</answer>", 0.5)]
    [InlineData("<answer>y</answer></think>", 0)]
    [InlineData("Mossford", 0)]
    public void Format_RewardsTheThinkThenAnswerShape(string completion, double expected) =>
        Assert.Equal(expected, new FormatReward().Score(Completion(completion)));

    [Theory]
    [InlineData(10, true, 0)]
    [InlineData(20, true, 0)]
    [InlineData(25, true, -0.25)]
    [InlineData(60, true, -1)]
    [InlineData(3, false, -1)] // cut off at max new tokens
    public void LengthPenalty_StartsAfterTheTarget_AndCapsAtMinusOne(int tokens, bool finished, double expected) =>
        Assert.Equal(expected, new LengthPenalty(20).Score(Completion("...", tokens: tokens, finished: finished)), 9);

    [Fact]
    public void RewardSet_WeighsItsParts_AndLeavesOutZeroWeights()
    {
        var set = RewardSet.FromOptions(new TrainingOptions { RewardAnswer = 1, RewardFormat = 0.5, RewardLength = 0.1, GrpoLengthTarget = 4 });

        var (total, parts) = set.Score(Completion("<think>x</think><answer>Mossford</answer>", tokens: 6));

        Assert.Equal(["answer", "format", "length"], set.Parts.Select(p => p.Reward.Name));
        Assert.Equal([1, 1, -0.5], parts);
        Assert.Equal(1 + 0.5 - 0.05, total, 9);
        Assert.Throws<ArgumentException>(() => RewardSet.FromOptions(new TrainingOptions { RewardAnswer = 0 }));
        Assert.Throws<ArgumentException>(() => new AnswerMatchReward("fuzzy"));
    }

    [Fact]
    public void GrpoOptions_AreValidated_FieldByField()
    {
        var grpo = TrainingOptions.ForStage(TrainingStage.Grpo);
        grpo.Validate();
        void Refused(TrainingOptions o, string field) => Assert.Contains(field, Assert.Throws<ArgumentException>(() => o.Validate()).Message);

        Refused(grpo with { GrpoGroupSize = 1 }, "grpo_group_size");
        Refused(grpo with { GrpoClipEps = 0 }, "grpo_clip_eps");
        Refused(grpo with { GrpoTemperature = 0 }, "grpo_temperature");
        Refused(grpo with { GrpoMatch = "fuzzy" }, "grpo_match");
        Refused(grpo with { RewardAnswer = 0 }, "reward_answer");
        Refused(grpo with { RewardFormat = double.NaN }, "reward_format");
        Refused(grpo with { Devices = "cuda:0,cuda:1" }, "devices");
        Refused(grpo with { InitFrom = TrainingOptions.Scratch }, "init_from");
        Assert.Equal(TrainingStage.Grpo, TrainingStages.Parse("GRPO"));
    }

    [Fact]
    public void EveryBadOption_IsReported_AtOnce_WithTheModelConfigsToo()
    {
        var options = new TrainingOptions { BatchSize = 0, LearningRate = -1, Model = new MiniMind.Engine.Model.MiniMindConfig { Dim = 30, NHeads = 4, NLayers = 0 } };

        var problems = options.Problems();
        var error = Assert.Throws<ArgumentException>(() => options.Validate());

        Assert.Equal(["batch_size", "learning_rate", "n_layers", "n_heads"], problems.Select(p => p.Field));
        Assert.All(problems, p => Assert.Contains(p.Sentence, error.Message)); // the command line prints them all
        Assert.Contains("Invalid model config: n_heads must divide dim (dim 30, n_heads 4).", error.Message);
        Assert.Contains(new MiniMind.Engine.Model.MiniMindConfig { NHeads = 0 }.Problems(), p => p.Field == "n_heads"); // and no division by zero on the way
        // max_seq_len has one lower bound, the data loader's: 2 passed the options and failed inside the loader
        Assert.Equal("Must be at least 3 (bos, a token, eos).", Assert.Single(new TrainingOptions { MaxSeqLen = 2 }.Problems()).Message);
    }
}
