using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MiniMind.Engine.Training.Rewards;

namespace MiniMind.Engine.Evaluation;

/// <summary>
/// One question of a question/answer benchmark (a jsonl line): <c>{"question", "answer"}</c> (the answer must contain it),
/// <c>"expect": [...]</c> (it must contain every one: a behaviour, such as naming all of a person's facts) and
/// <c>"format": "reasoning"</c> (it must be <c>&lt;think&gt;…&lt;/think&gt;&lt;answer&gt;…&lt;/answer&gt;</c>, the expected text inside the answer part).
/// Containment ignores case, white space and punctuation (<see cref="DemoQuiz.Contains"/>); with <c>"match": "words"</c> the
/// expected texts must appear as whole words (<see cref="Completions.ContainsWords"/>: "17" does not hold "7").
/// </summary>
public sealed partial record QuizQuestion(string Question, IReadOnlyList<string> Expected, string? Format = null, bool WholeWords = false)
{
    public const string ReasoningFormat = "reasoning";

    /// <summary>The <c>match</c> value that asks for whole-word containment.</summary>
    public const string WordsMatch = "words";

    bool Holds(string answer, string expected) => WholeWords ? Completions.ContainsWords(answer, expected) : DemoQuiz.Contains(answer, expected);

    /// <summary>The expected texts as one line, for tables.</summary>
    public string ExpectedText => string.Join(" · ", Expected);

    /// <summary>Whether <paramref name="answer"/> has the required format (true when none is required).</summary>
    public bool FormatHolds(string answer) => Format is null || ReasoningShape().IsMatch(answer);

    /// <summary>Whether <paramref name="answer"/> passes: the format holds and every expected text is in it (in the answer part, for reasoning).</summary>
    public bool Passes(string answer)
    {
        if (Format is null) return Expected.All(e => Holds(answer, e));
        var match = ReasoningShape().Match(answer);
        return match.Success && Expected.All(e => Holds(match.Groups["answer"].Value, e));
    }

    [GeneratedRegex(@"^\s*<think>(?<think>.*?)</think>\s*<answer>(?<answer>.*?)</answer>\s*$", RegexOptions.Singleline)]
    private static partial Regex ReasoningShape();

    /// <summary>Reads a benchmark file, naming the file and line of a bad record.</summary>
    public static List<QuizQuestion> Read(string path)
    {
        var questions = new List<QuizQuestion>();
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                questions.Add(Parse(line));
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                throw new InvalidDataException($"{path}:{number}: expected {{\"question\": ..., \"answer\": ...}} or \"expect\": [...] ({e.Message})", e);
            }
        }
        if (questions.Count == 0) throw new InvalidDataException($"{path}: no questions.");
        return questions;
    }

    static QuizQuestion Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("not a JSON object");
        string? Text(string name) => root.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw new FormatException($"\"{name}\" must be a string")
            : null;
        var question = Text("question") ?? throw new FormatException("\"question\" is missing");
        var expected = new List<string>();
        if (Text("answer") is { } answer) expected.Add(answer);
        if (root.TryGetProperty("expect", out var expect))
        {
            if (expect.ValueKind != JsonValueKind.Array) throw new FormatException("\"expect\" must be an array of strings");
            foreach (var e in expect.EnumerateArray())
                expected.Add(e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new FormatException("\"expect\" must be an array of strings"));
        }
        var format = Text("format");
        if (format is not null and not ReasoningFormat) throw new FormatException($"unknown \"format\" \"{format}\" (known: {ReasoningFormat})");
        if (expected.Count == 0 && format is null) throw new FormatException("\"answer\" is missing");
        if (expected.Any(e => e.Length == 0)) throw new FormatException("an expected answer is empty");
        var match = Text("match");
        if (match is not null and not WordsMatch) throw new FormatException($"unknown \"match\" \"{match}\" (known: {WordsMatch})");
        return new QuizQuestion(question, expected, format, match == WordsMatch);
    }
}
