using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Evaluation;

/// <summary>
/// Runs one benchmark on one loaded checkpoint and returns the record to save: the one place that turns
/// a quiz, perplexity or multiple-choice result into metrics, so the command line and the studio agree.
/// </summary>
public static class BenchmarkRunner
{
    public static EvaluationRecord Run(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, string checkpoint, EvaluationBenchmark benchmark,
        int? limit = null, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default, PerplexityBudget? budget = null)
    {
        budget ??= PerplexityBudget.Default;
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new InvalidDataException($"The tokenizer has {tokenizer.VocabSize} tokens but {Path.GetFileName(checkpoint)} only {model.Config.VocabSize}: choose the tokenizer it was trained with.");
        int take = limit ?? int.MaxValue;
        // the quiz generates each answer alone (one row); the others score whole batches
        CpuThreads.Apply(benchmark.Kind is EvaluationBenchmarkKind.Quiz or EvaluationBenchmarkKind.ToolUse ? CpuWork.Decoding : CpuWork.Evaluation, model.Device);
        var record = benchmark.Kind switch
        {
            EvaluationBenchmarkKind.Perplexity => Perplexity(model, tokenizer, checkpoint, benchmark, take, budget, progress, cancel),
            EvaluationBenchmarkKind.Quiz => Quiz(model, tokenizer, checkpoint, benchmark, take, progress, cancel),
            EvaluationBenchmarkKind.ToolUse => ToolUse(model, tokenizer, checkpoint, benchmark, take, progress, cancel),
            _ => MultipleChoice(model, tokenizer, checkpoint, benchmark, take, progress, cancel),
        };
        var settings = new Dictionary<string, object?> { ["shots"] = benchmark.Shots, ["limit"] = limit, ["tokenizer_vocab"] = tokenizer.VocabSize };
        if (benchmark.Kind == EvaluationBenchmarkKind.Perplexity)
        {
            settings["max_document_tokens"] = budget.DocumentTokens;
            settings["max_tokens"] = budget.Tokens;
        }
        return record with { Settings = settings };
    }

    static EvaluationRecord Perplexity(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, string checkpoint, EvaluationBenchmark benchmark,
        int take, PerplexityBudget budget, IProgress<(int, int)>? progress, CancellationToken cancel)
    {
        var result = new PerplexityEvaluator(model, tokenizer).Evaluate(PerplexityEvaluator.ReadDocuments(benchmark.Path).Take(take).ToList(), progress: progress, cancel: cancel, budget: budget);
        return new EvaluationRecord
        {
            Checkpoint = checkpoint, Benchmark = benchmark.Name,
            Metrics = new Dictionary<string, double>
            {
                ["perplexity"] = result.Perplexity, ["bits_per_byte"] = result.BitsPerByte, ["tokens"] = result.Tokens,
                ["documents"] = result.Documents, ["truncated_documents"] = result.Truncated, ["documents_not_reached"] = result.NotReached,
            },
        };
    }

    static EvaluationRecord Quiz(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, string checkpoint, EvaluationBenchmark benchmark,
        int take, IProgress<(int, int)>? progress, CancellationToken cancel)
    {
        var answerer = new ChatAnswerer(model, tokenizer);
        var reasoner = new ChatAnswerer(model, tokenizer, ReasoningTokens);
        var result = DemoQuiz.Run(QuizQuestion.Read(benchmark.Path).Take(take),
            (q, c) => (q.Format is null ? answerer : reasoner).Answer(q.Question, c), progress, cancel);
        var metrics = new Dictionary<string, double> { ["accuracy"] = result.Accuracy, ["correct"] = result.Correct, ["total"] = result.Total };
        if (result.FormatValid is { } valid) metrics["format_valid"] = valid;
        return new EvaluationRecord { Checkpoint = checkpoint, Benchmark = benchmark.Name, Details = result.Items, Metrics = metrics };
    }

    /// <summary>Tool use: accuracy is the share answered rightly from the tools' results; tool_calls the share of right first calls.</summary>
    static EvaluationRecord ToolUse(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, string checkpoint, EvaluationBenchmark benchmark,
        int take, IProgress<(int, int)>? progress, CancellationToken cancel)
    {
        var (calls, answered, outcomes) = ToolUseBenchmark.Run(model, tokenizer, ToolUseBenchmark.Read(benchmark.Path).Take(take), progress, cancel);
        return new EvaluationRecord
        {
            Checkpoint = checkpoint, Benchmark = benchmark.Name, Details = outcomes,
            Metrics = new Dictionary<string, double>
            {
                ["accuracy"] = answered, ["tool_calls"] = calls, ["correct"] = outcomes.Count(o => o.Answered), ["total"] = outcomes.Count,
            },
        };
    }

    static EvaluationRecord MultipleChoice(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, string checkpoint, EvaluationBenchmark benchmark,
        int take, IProgress<(int, int)>? progress, CancellationToken cancel)
    {
        var items = BenchmarkLoader.Load(benchmark.Path).Take(take).ToList();
        var result = new MultipleChoiceScorer(model, tokenizer).Score(items, benchmark.Shots, progress, cancel);
        return new EvaluationRecord
        {
            Checkpoint = checkpoint, Benchmark = benchmark.Name, BySubject = result.BySubject,
            Metrics = new Dictionary<string, double> { ["accuracy"] = result.Accuracy, ["correct"] = result.Correct, ["total"] = result.Total },
            Details = result.Scores.Select(s => new { question = s.Item.Question, answer = s.Item.Answer.ToString(), predicted = s.Predicted.ToString(), probabilities = s.Probabilities }).ToList(),
        };
    }

    /// <summary>New tokens for an answer that must think first (the think part comes before the answer).</summary>
    const int ReasoningTokens = 192;
}
