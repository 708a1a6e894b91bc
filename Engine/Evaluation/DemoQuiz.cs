using System.Text;
using System.Text.Json.Serialization;

namespace MiniMind.Engine.Evaluation;

/// <summary>One question of the demo quiz and how the model did.</summary>
public sealed record QuizItem(
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("expected")] string Expected,
    [property: JsonPropertyName("answer")] string Answer,
    [property: JsonPropertyName("correct")] bool Correct,
    [property: JsonPropertyName("format_valid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? FormatValid = null);

public sealed record QuizResult(
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("correct")] int Correct,
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("items")] IReadOnlyList<QuizItem> Items)
{
    /// <summary>The share of answers in the required format, when the questions require one (reasoning); else null.</summary>
    [JsonPropertyName("format_valid")]
    public double? FormatValid => Items.Any(i => i.FormatValid is not null) ? Items.Count(i => i.FormatValid == true) / (double)Items.Count : null;
}

/// <summary>
/// A question/answer benchmark (the demo quiz, the preference, identity and reasoning benchmarks): each held-out question
/// answered, and scored by <see cref="QuizQuestion.Passes"/>: the expected texts contained, compared case-, space- and
/// punctuation-insensitively (so "Mossford" and "mossford!" agree), and the format when one is required.
/// </summary>
public static class DemoQuiz
{
    public static QuizResult Run(IEnumerable<QuizQuestion> questions, Func<QuizQuestion, CancellationToken, string> answer,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        var list = questions.ToList();
        var items = new List<QuizItem>(list.Count);
        foreach (var question in list)
        {
            cancel.ThrowIfCancellationRequested();
            var given = answer(question, cancel);
            items.Add(new QuizItem(question.Question, question.ExpectedText, given, question.Passes(given),
                question.Format is null ? null : question.FormatHolds(given)));
            progress?.Report((items.Count, list.Count));
        }
        int correct = items.Count(i => i.Correct);
        return new QuizResult(items.Count == 0 ? 0 : (double)correct / items.Count, correct, items.Count, items);
    }

    /// <summary>Whether <paramref name="answer"/> contains <paramref name="expected"/>, ignoring case, white space and punctuation.</summary>
    public static bool Contains(string answer, string expected)
    {
        var e = Normalize(expected);
        return e.Length > 0 && Normalize(answer).Contains(e, StringComparison.Ordinal);
    }

    static string Normalize(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (var c in s.Normalize(NormalizationForm.FormKC))
            if (char.IsLetterOrDigit(c)) b.Append(char.ToLowerInvariant(c));
        return b.ToString();
    }
}
