using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using MiniMind.Engine.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

public sealed class ObjectiveTests
{
    static Tensor Rows(System.Text.Json.JsonElement json, ScalarType type) =>
        tensor(json.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetDouble())).ToArray(),
            [json.GetArrayLength(), json[0].GetArrayLength()]).to(type);

    [Fact]
    public void Dpo_LossAndPolicyGradientNorm_MatchTheSeed()
    {
        var golden = Fixture.Json("dpo", "golden.json");
        using var policy = ModelCheckpoint.Load(Fixture.Path("dpo", "policy_weights.safetensors"), Fixture.TinyDenseConfig());
        var reference = Fixture.TinyDenseModel();
        using var objective = new DpoObjective(reference, golden.GetProperty("beta").GetDouble());
        var batch = new BatchTensors(Rows(golden.GetProperty("x"), ScalarType.Int64), Rows(golden.GetProperty("y"), ScalarType.Int64),
            Rows(golden.GetProperty("mask"), ScalarType.Float32));
        policy.train();

        var result = objective.Compute(policy, batch);
        result.Loss.backward();

        double expectedLoss = golden.GetProperty("loss").GetDouble();
        Assert.True(Math.Abs(result.Loss.item<float>() - expectedLoss) <= 1e-4 * expectedLoss, $"loss {result.Loss.item<float>()} vs {expectedLoss}");
        double norm = Math.Sqrt(policy.UniqueParameters().Sum(p => p.grad!.square().sum().item<float>()));
        double expectedNorm = golden.GetProperty("policy_grad_norm").GetDouble();
        Assert.True(Math.Abs(norm - expectedNorm) <= 1e-4 * expectedNorm, $"grad norm {norm} vs {expectedNorm}");
    }

    [Fact]
    public void Dpo_ChosenNllWeight_AddsTheChosenAnswersMeanTokenNll_AndTheRewardsAreReported()
    {
        var golden = Fixture.Json("dpo", "golden.json");
        using var policy = ModelCheckpoint.Load(Fixture.Path("dpo", "policy_weights.safetensors"), Fixture.TinyDenseConfig());
        var batch = new BatchTensors(Rows(golden.GetProperty("x"), ScalarType.Int64), Rows(golden.GetProperty("y"), ScalarType.Int64),
            Rows(golden.GetProperty("mask"), ScalarType.Float32));
        using var plain = new DpoObjective(Fixture.TinyDenseModel(), 0.1);
        using var rpo = new DpoObjective(Fixture.TinyDenseModel(), 0.1, chosenNllWeight: 0.5);
        using var _ = no_grad();

        var dpo = plain.Compute(policy, batch);
        var mixed = rpo.Compute(policy, batch);

        // by hand: the policy's log-probabilities of the chosen rows' targets, summed, over the chosen target count
        int half = (int)(batch.Inputs.shape[0] / 2);
        var (logits, _) = policy.Forward(batch.Inputs);
        var chosenLogp = (TokenLoss.TargetLogProbs(logits, batch.Targets)[..half] * batch.LossMask[..half]).sum().item<float>();
        var nll = -chosenLogp / batch.LossMask[..half].sum().item<float>();
        Assert.Equal(dpo.Loss.item<float>() + 0.5 * nll, mixed.Loss.item<float>(), 4);
        Assert.Equal(nll, mixed.Extra!["chosen_nll"].item<float>(), 4);
        var margin = mixed.Extra["chosen_reward"].item<float>() - mixed.Extra["rejected_reward"].item<float>();
        Assert.Equal(margin, mixed.Extra["reward_margin"].item<float>(), 4);
        Assert.InRange(mixed.Extra["reward_accuracy"].item<float>(), 0f, 1f);
        Assert.Throws<ArgumentException>(() => new DpoObjective(Fixture.TinyDenseModel(), 0.1, chosenNllWeight: -1));
    }

    [Fact]
    public void Dpo_SequenceLogProbs_MatchTheSeed()
    {
        var golden = Fixture.Json("dpo", "golden.json");
        using var policy = ModelCheckpoint.Load(Fixture.Path("dpo", "policy_weights.safetensors"), Fixture.TinyDenseConfig());
        using var _ = no_grad();
        var (logits, _) = policy.Forward(Rows(golden.GetProperty("x"), ScalarType.Int64));

        var seq = (TokenLoss.TargetLogProbs(logits, Rows(golden.GetProperty("y"), ScalarType.Int64)) * Rows(golden.GetProperty("mask"), ScalarType.Float32)).sum(1);

        var expected = golden.GetProperty("policy_seq_logp").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], seq[i].item<float>(), 3);
    }

    [Fact]
    public void Distillation_KlIsZero_WhenStudentEqualsTeacher()
    {
        using var student = Fixture.TinyDenseModel();
        using var objective = new DistillationObjective(Fixture.TinyDenseModel(), alpha: 0.0, temperature: 2.0);
        var ids = Fixture.TinyDenseIo()["input_ids"];
        var batch = new BatchTensors(ids.narrow(1, 0, 23), ids.narrow(1, 1, 23), ones(2, 23));

        var result = objective.Compute(student, batch);

        Assert.True(Math.Abs(result.Extra!["kl"].item<float>()) < 1e-6);
        Assert.True(Math.Abs(result.Loss.item<float>()) < 1e-5);
    }

    [Fact]
    public void Distillation_KlMatchesTheDefinition()
    {
        manual_seed(1);
        var student = randn(1, 2, 5);
        var teacher = randn(1, 2, 5);
        var mask = tensor(new float[] { 1, 0 }, [1, 2]);

        var kl = DistillationObjective.KlDivergence(student, teacher, 1.0, mask).item<float>();

        var p = teacher[0, 0].softmax(-1);
        var expected = (p * (p.log() - student[0, 0].log_softmax(-1))).sum().item<float>();
        Assert.Equal(expected, kl, 5);
    }

    [Fact]
    public void Reasoning_TagTokens_WeighTenTimes_NormalisedByTheTargetCount()
    {
        // two targets; the second is a tag token: loss = (ce0 + 10 ce1) / 2
        manual_seed(2);
        using var model = new MiniMindModel(new MiniMindConfig { Dim = 16, NLayers = 1, NHeads = 2, NKvHeads = 1, VocabSize = 20, MaxSeqLen = 8 });
        var batch = new BatchTensors(tensor(new long[] { 3, 4, 5 }, [1, 3]), tensor(new long[] { 4, 7, 9 }, [1, 3]), tensor(new float[] { 1, 1, 0 }, [1, 3]));
        using var objective = new ReasoningObjective([7, 9], tagWeight: 10);

        var loss = objective.Compute(model, batch).Loss.item<float>();

        var ce = TokenLoss.PerTokenCrossEntropy(model.Forward(batch.Inputs).Logits, batch.Targets)[0];
        Assert.Equal((ce[0].item<float>() + 10 * ce[1].item<float>()) / 2, loss, 5); // position 2 (tag 9) is masked out
    }
}
