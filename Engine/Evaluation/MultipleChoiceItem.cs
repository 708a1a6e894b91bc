namespace MiniMind.Engine.Evaluation;

/// <summary>A multiple-choice question: its subject, text, options (A, B, C, ...) and the correct letter.</summary>
public sealed record MultipleChoiceItem(string Subject, string Question, IReadOnlyList<string> Choices, char Answer)
{
    public static string Letter(int index) => ((char)('A' + index)).ToString();
}
