using MiniMind.Engine.Data.Demo;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Evaluation;

/// <summary>
/// Runs one benchmark on one loaded checkpoint and returns the record to save: the one place that turns
/// a quiz, perplexity or multiple-choice result into metrics, so the command line and the studio agree.
/// </summary>
public static class BenchmarkRunner
{
    public static EvaluationRecord Run(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, string checkpoint, EvaluationBenchmark benchmark,
        int? limit = null, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new InvalidDataException($"The tokenizer has {tokenizer.VocabSize} tokens but {Path.GetFileName(checkpoint)} only {model.Config.VocabSize}: choose the tokenizer it was trained with.");
        int take = limit ?? int.MaxValue;
        var record = benchmark.Kind switch
        {
            EvaluationBenchmarkKind.Perplexity => Perplexity(model, tokenizer, checkpoint, benchmark, take, progress, cancel),
            EvaluationBenchmarkKind.Quiz => Quiz(model, tokenizer, checkpoint, benchmark, take, progress, cancel),
            _ => MultipleChoice(model, tokenizer, checkpoint, benchmark, take, progress, cancel),
        };
        return record with { Settings = new Dictionary<string, object?> { ["shots"] = benchmark.Shots, ["limit"] = limit, ["tokenizer_vocab"] = tokenizer.VocabSize } };
    }

    static EvaluationRecord Perplexity(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, string checkpoint, EvaluationBenchmark benchmark,
        int take, IProgress<(int, int)>? progress, CancellationToken cancel)
    {
        var result = new PerplexityEvaluator(model, tokenizer).Evaluate(PerplexityEvaluator.ReadDocuments(benchmark.Path).Take(take).ToList(), progress: progress, cancel: cancel);
        return new EvaluationRecord
        {
            Checkpoint = checkpoint, Benchmark = benchmark.Name,
            Metrics = new Dictionary<string, double> { ["perplexity"] = result.Perplexity, ["bits_per_byte"] = result.BitsPerByte, ["tokens"] = result.Tokens },
        };
    }

    static EvaluationRecord Quiz(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, string checkpoint, EvaluationBenchmark benchmark,
        int take, IProgress<(int, int)>? progress, CancellationToken cancel)
    {
        var result = DemoQuiz.Run(ReadQuiz(benchmark.Path).Take(take), new ChatAnswerer(model, tokenizer).Answer, progress, cancel);
        return new EvaluationRecord
        {
            Checkpoint = checkpoint, Benchmark = benchmark.Name, Details = result.Items,
            Metrics = new Dictionary<string, double> { ["accuracy"] = result.Accuracy, ["correct"] = result.Correct, ["total"] = result.Total },
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

    /// <summary>A question/answer jsonl, with the file and record of a bad line.</summary>
    public static List<(string Question, string Answer)> ReadQuiz(string file)
    {
        var questions = new List<(string, string)>();
        using var lines = DemoCorpus.ReadEvaluation(file).GetEnumerator();
        while (true)
        {
            try
            {
                if (!lines.MoveNext()) break;
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"{file}: record {questions.Count + 1}: expected {{\"question\": ..., \"answer\": ...}} ({e.Message})", e);
            }
            questions.Add(lines.Current);
        }
        if (questions.Count == 0) throw new InvalidDataException($"{file}: no questions.");
        return questions;
    }
}
