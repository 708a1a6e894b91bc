namespace MiniMind.Engine.Evaluation;

/// <summary>How a benchmark is measured.</summary>
public enum EvaluationBenchmarkKind
{
    /// <summary>Question/answer jsonl (the demo quiz): the chat answer must contain the expected answer (accuracy).</summary>
    Quiz,

    /// <summary>Held-out text: perplexity and bits per byte.</summary>
    Perplexity,

    /// <summary>C-Eval/CMMLU .csv, or a jsonl with choices: the option letter's next-token probability (accuracy).</summary>
    MultipleChoice,

    /// <summary>Tool-use questions (jsonl with "tool" and "arguments"): the share of right calls and of right answers from their results.</summary>
    ToolUse,
}
