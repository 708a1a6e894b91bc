using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MiniMind.Engine.Training.Objectives;

/// <summary>
/// White-box knowledge distillation (Hinton et al. 2015), as the seed's train_distillation.py:
/// <c>alpha * CE(student, targets) + (1 - alpha) * T^2 * KL(softmax(teacher / T) || softmax(student / T))</c>,
/// both over the target positions. The teacher may be larger but must share the vocabulary.
/// </summary>
public sealed class DistillationObjective : IObjective
{
    readonly MiniMindModel teacher;
    readonly double alpha, temperature;

    /// <param name="teacher">The frozen teacher; this objective owns it.</param>
    public DistillationObjective(MiniMindModel teacher, double alpha, double temperature)
    {
        if (alpha is < 0 or > 1) throw new ArgumentException($"distill_alpha must be in [0, 1]; got {alpha}.");
        if (temperature <= 0) throw new ArgumentException($"distill_temperature must be positive; got {temperature}.");
        this.teacher = teacher;
        this.alpha = alpha;
        this.temperature = temperature;
        teacher.eval();
        foreach (var p in teacher.parameters()) p.requires_grad = false;
    }

    public string Name => "distill";

    public ObjectiveResult Compute(MiniMindModel model, BatchTensors batch)
    {
        using var scope = NewDisposeScope();
        if (teacher.Config.VocabSize != model.Config.VocabSize)
            throw new ArgumentException($"The teacher's vocabulary ({teacher.Config.VocabSize}) differs from the student's ({model.Config.VocabSize}).");
        Tensor teacherLogits;
        using (no_grad())
            teacherLogits = teacher.Forward(batch.Inputs).Logits;
        var (rawLogits, aux) = model.Forward(batch.Inputs);
        var logits = rawLogits.to(ScalarType.Float32); // once: both terms below would otherwise each make a (B, T, V) fp32 copy of bf16 logits
        var denominator = batch.LossMask.sum();
        var ce = TokenLoss.MaskedMean(TokenLoss.PerTokenCrossEntropy(logits, batch.Targets), batch.LossMask, denominator);
        var kl = KlDivergence(logits, teacherLogits, temperature, batch.LossMask);
        var loss = ObjectiveResult.WithAux(alpha * ce + (1 - alpha) * temperature * temperature * kl, aux);
        return new ObjectiveResult(loss.MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope(),
            new Dictionary<string, Tensor> { ["kl"] = kl.detach().MoveToOuterDisposeScope(), ["ce"] = ce.detach().MoveToOuterDisposeScope() });
    }

    /// <summary>Mean over target positions of KL(softmax(teacher/T) || softmax(student/T)); logits (B, T, V), mask (B, T).</summary>
    public static Tensor KlDivergence(Tensor student, Tensor teacher, double temperature, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var studentLogp = (student.to(ScalarType.Float32) / temperature).log_softmax(-1);
        var teacherLogp = (teacher.to(ScalarType.Float32) / temperature).log_softmax(-1);
        var perToken = (teacherLogp.exp() * (teacherLogp - studentLogp)).sum(-1); // (B, T)
        return TokenLoss.MaskedMean(perToken, mask, mask.sum()).MoveToOuterDisposeScope();
    }

    public void Dispose() => teacher.Dispose();
}
