namespace MiniMind.Engine.Evaluation;

/// <summary>One benchmark of an evaluation: what is measured, on which file, and (multiple choice) how many shots per subject.</summary>
public sealed record EvaluationBenchmark(EvaluationBenchmarkKind Kind, string Path, int Shots = 0)
{
    /// <summary>The demo quiz every fresh clone has.</summary>
    public const string DemoQuizFile = "dataset/eval_demo.jsonl";

    /// <summary>
    /// The demo's behaviour benchmarks by short name: held-out prompts whose answers show what a stage taught (DPO: answer
    /// about a person instead of refusing; LoRA: the Juniper persona; reasoning: the think/answer format; GRPO: short answers to new phrasings).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> DemoBehaviourFiles = new Dictionary<string, string>
    {
        ["preference"] = "dataset/eval_preference.jsonl",
        ["identity"] = "dataset/eval_identity.jsonl",
        ["reasoning"] = "dataset/eval_reasoning.jsonl",
        ["grpo"] = "dataset/eval_grpo.jsonl",
        ["tools"] = "dataset/eval_tools.jsonl",
    };

    /// <summary>The default held-out text for perplexity.</summary>
    public const string DemoTextFile = "dataset/pretrain_demo.jsonl";

    /// <summary>
    /// The benchmark's name in saved records, as the command line writes it: <c>demo</c> for the demo quiz,
    /// <c>perplexity:FILE</c>, otherwise the file name.
    /// </summary>
    public string Name => Kind switch
    {
        EvaluationBenchmarkKind.Quiz when IsDemoQuiz => "demo",
        EvaluationBenchmarkKind.Perplexity => $"perplexity:{System.IO.Path.GetFileName(Path)}",
        _ => System.IO.Path.GetFileName(Path),
    };

    /// <summary>Whether the figure is an accuracy in [0, 1] (drawn on the radar); perplexity is not.</summary>
    public bool IsAccuracy => Kind != EvaluationBenchmarkKind.Perplexity;

    /// <summary>
    /// How a benchmark file is scored: a .csv (C-Eval/CMMLU) or a .jsonl whose first record has "choices" is multiple
    /// choice; any other .jsonl is a question/answer quiz.
    /// </summary>
    public static EvaluationBenchmarkKind KindOfFile(string path)
    {
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return EvaluationBenchmarkKind.MultipleChoice;
        string? first;
        try { first = File.ReadLines(path).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l)); }
        catch (IOException) { first = null; }
        if (first?.Contains("\"choices\"", StringComparison.Ordinal) == true) return EvaluationBenchmarkKind.MultipleChoice;
        return first?.Contains("\"tool\"", StringComparison.Ordinal) == true && first.Contains("\"arguments\"", StringComparison.Ordinal)
            ? EvaluationBenchmarkKind.ToolUse : EvaluationBenchmarkKind.Quiz;
    }

    bool IsDemoQuiz => Path.Replace('\\', '/').EndsWith(DemoQuizFile, StringComparison.Ordinal);
}
