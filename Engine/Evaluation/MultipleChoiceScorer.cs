using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using static TorchSharp.torch;

namespace MiniMind.Engine.Evaluation;

/// <summary>How one question was scored: the option letters' probabilities (renormalised over the options) and the pick.</summary>
public sealed record MultipleChoiceScore(MultipleChoiceItem Item, IReadOnlyList<double> Probabilities, char Predicted)
{
    public bool Correct => Predicted == Item.Answer;
}

public sealed record MultipleChoiceResult(double Accuracy, int Correct, int Total, IReadOnlyDictionary<string, double> BySubject, IReadOnlyList<MultipleChoiceScore> Scores);

/// <summary>
/// Scores multiple-choice questions the way C-Eval/CMMLU harnesses do: a zero- or few-shot prompt ending in
/// "答案：", then the model's next-token logits for the option letters; the most probable letter is the
/// answer (chance: 1 / options). Prompts are scored in right-padded batches with one forward each.
/// </summary>
public sealed class MultipleChoiceScorer(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, int batchSize = 8)
{
    /// <summary>The harness's C-Eval prompt: description, shots with answers, then the question.</summary>
    public static string Prompt(MultipleChoiceItem item, IReadOnlyList<MultipleChoiceItem> shots)
    {
        var text = new System.Text.StringBuilder($"以下是中国关于{item.Subject}考试的单项选择题，请选出其中的正确答案。\n\n");
        foreach (var shot in shots) text.Append(Question(shot)).Append(shot.Answer).Append("\n\n");
        return text.Append(Question(item)).ToString();
    }

    static string Question(MultipleChoiceItem item) =>
        item.Question.Trim() + "\n" + string.Concat(item.Choices.Select((c, i) => $"{MultipleChoiceItem.Letter(i)}. {c}\n")) + "答案：";

    readonly Dictionary<int, int[]> letterIds = [];

    /// <summary>The token id each option letter starts with (encoded once per option count).</summary>
    int[] LetterIds(int options)
    {
        if (letterIds.TryGetValue(options, out var known)) return known;
        return letterIds[options] = Enumerable.Range(0, options).Select(i =>
            tokenizer.Encode(MultipleChoiceItem.Letter(i)) is { Length: > 0 } ids ? ids[0]
                : throw new InvalidOperationException($"The tokenizer cannot encode option letter {MultipleChoiceItem.Letter(i)}.")).ToArray();
    }

    /// <param name="shots">Few-shot examples per subject (the first k questions of the subject are used and not scored when k &gt; 0).</param>
    public MultipleChoiceResult Score(IReadOnlyList<MultipleChoiceItem> items, int shots = 0,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        if (shots < 0) throw new ArgumentException($"shots must be >= 0; got {shots}.");
        var shotPool = items.GroupBy(i => i.Subject).ToDictionary(g => g.Key, g => g.Take(shots).ToList());
        var scored = items.Where(i => !shotPool[i.Subject].Contains(i)).ToList();
        var scores = new List<MultipleChoiceScore>(scored.Count);
        model.eval();
        foreach (var chunk in scored.Chunk(batchSize))
        {
            cancel.ThrowIfCancellationRequested();
            var prompts = chunk.Select(i => Truncate(tokenizer.Encode(Prompt(i, shotPool[i.Subject])))).ToList();
            var logits = LastLogits(prompts);
            for (int r = 0; r < chunk.Length; r++)
            {
                var letters = LetterIds(chunk[r].Choices.Count);
                var optionLogits = letters.Select(id => (double)logits[r][id]).ToArray();
                double max = optionLogits.Max();
                var exp = optionLogits.Select(l => Math.Exp(l - max)).ToArray();
                var probs = exp.Select(e => e / exp.Sum()).ToArray();
                int best = Array.IndexOf(probs, probs.Max());
                scores.Add(new MultipleChoiceScore(chunk[r], probs, MultipleChoiceItem.Letter(best)[0]));
            }
            progress?.Report((scores.Count, scored.Count));
        }
        int correct = scores.Count(s => s.Correct);
        var bySubject = scores.GroupBy(s => s.Item.Subject).ToDictionary(g => g.Key, g => (double)g.Count(s => s.Correct) / g.Count());
        return new MultipleChoiceResult(scores.Count == 0 ? 0 : (double)correct / scores.Count, correct, scores.Count, bySubject, scores);
    }

    /// <summary>Keeps the last max_seq_len tokens: the question and the answer cue matter most.</summary>
    int[] Truncate(int[] ids) => ids.Length <= model.Config.MaxSeqLen ? ids : ids[^model.Config.MaxSeqLen..];

    /// <summary>Next-token logits after each prompt: one right-padded forward for the batch (causal, so padding after a row's end never reaches it).</summary>
    float[][] LastLogits(IReadOnlyList<int[]> prompts)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int length = prompts.Max(p => p.Length);
        var device = model.Device;
        var flat = new long[prompts.Count * length];
        for (int r = 0; r < prompts.Count; r++)
            for (int t = 0; t < prompts[r].Length; t++) flat[r * length + t] = prompts[r][t];
        var ids = tensor(flat, [prompts.Count, length], ScalarType.Int64, device);
        var (logits, _) = model.Forward(ids);
        var last = tensor(prompts.Select(p => (long)p.Length - 1).ToArray(), ScalarType.Int64, device);
        var picked = logits.gather(1, last.view(-1, 1, 1).expand(-1, 1, logits.shape[2])).squeeze(1).to(ScalarType.Float32).cpu();
        return Enumerable.Range(0, prompts.Count).Select(r => picked[r].data<float>().ToArray()).ToArray();
    }
}
