using System.CommandLine;
using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Data.Demo;
using MiniMind.Engine.Evaluation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Studio.Cli;

/// <summary>
/// <c>eval --model M --benchmark B [--shots k]</c>: the demo quiz (<c>demo</c>, or a jsonl of question/answer),
/// a multiple-choice benchmark (C-Eval/CMMLU .csv, or a jsonl with choices) or <c>perplexity</c> on --data.
/// Prints a table, then one JSON line; the result is saved under out/evals/.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "A studio checkpoint (.safetensors with its .json sidecar)", Required = true };
        var benchmark = new Option<string>("--benchmark") { Description = "demo | perplexity | a C-Eval/CMMLU .csv | a .jsonl ({question, choices, answer} or {question, answer})", DefaultValueFactory = _ => "demo" };
        var shots = new Option<int>("--shots") { Description = "Few-shot examples per subject (multiple choice)", DefaultValueFactory = _ => 0 };
        var data = new Option<FileInfo?>("--data") { Description = "Held-out text for perplexity (.jsonl with \"text\", or plain text) [default: dataset/pretrain_demo.jsonl]" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder [default: the checkpoint's]" };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N questions / documents" };
        var outDir = new Option<string>("--out-dir") { Description = "Where evals/ goes", DefaultValueFactory = _ => "out" };
        var command = new Command("eval", "Evaluate a checkpoint: demo quiz, multiple-choice benchmark or perplexity") { model, benchmark, shots, data, tokenizer, limit, outDir };
        command.SetAction((parse, cancel) => Task.FromResult(StudioCli.Guard(parse, () =>
        {
            var runtime = StudioCli.StartEngine(parse);
            var path = parse.GetValue(model)!.FullName;
            using var net = ModelCheckpoint.Load(path, device: runtime.Device);
            var tok = ByteLevelBpeTokenizer.Load(parse.GetValue(tokenizer) ?? ModelCheckpoint.ReadInfo(path)?.Tokenizer
                ?? throw new ArgumentException($"{path} names no tokenizer; give --tokenizer."));
            var output = parse.InvocationConfiguration.Output;
            var bar = new ProgressBar(parse.InvocationConfiguration.Error);
            var progress = new Engine.Data.SynchronousProgress<(int Done, int Total)>(p => bar.Report("evaluating", p.Done, p.Total));
            var name = parse.GetValue(benchmark)!;
            int take = parse.GetValue(limit) ?? int.MaxValue;
            EvaluationRecord record;
            if (name == "perplexity")
            {
                var file = parse.GetValue(data)?.FullName ?? "dataset/pretrain_demo.jsonl";
                var result = new PerplexityEvaluator(net, tok).Evaluate(PerplexityEvaluator.ReadDocuments(file).Take(take).ToList(), progress: progress, cancel: cancel);
                bar.Done();
                output.WriteLine($"perplexity {result.Perplexity:F3}   bits/byte {result.BitsPerByte:F4}   ({result.Tokens} tokens, {result.Documents} documents)");
                record = Record(path, $"perplexity:{Path.GetFileName(file)}", new() { ["perplexity"] = result.Perplexity, ["bits_per_byte"] = result.BitsPerByte, ["tokens"] = result.Tokens }, null, null);
            }
            else if (name == "demo" || IsQuizFile(name))
            {
                var file = name == "demo" ? "dataset/eval_demo.jsonl" : name;
                var answerer = new ChatAnswerer(net, tok);
                var result = DemoQuiz.Run(DemoCorpus.ReadEvaluation(file).Take(take), answerer.Answer, progress, cancel);
                bar.Done();
                foreach (var item in result.Items.Take(10))
                    output.WriteLine($"{(item.Correct ? "✓" : "✗")} {item.Question} -> {(item.Answer.Length > 100 ? item.Answer[..100] + "…" : item.Answer)}");
                output.WriteLine($"accuracy {result.Accuracy:P1} ({result.Correct}/{result.Total})");
                record = Record(path, name == "demo" ? "demo" : Path.GetFileName(file), new() { ["accuracy"] = result.Accuracy, ["correct"] = result.Correct, ["total"] = result.Total }, null, result.Items);
            }
            else
            {
                var items = BenchmarkLoader.Load(name).Take(take).ToList();
                var result = new MultipleChoiceScorer(net, tok).Score(items, parse.GetValue(shots), progress, cancel);
                bar.Done();
                output.WriteLine($"{"subject",-30} accuracy");
                foreach (var (subject, accuracy) in result.BySubject.OrderBy(kv => kv.Key)) output.WriteLine($"{subject,-30} {accuracy:P1}");
                output.WriteLine($"{"overall",-30} {result.Accuracy:P1} ({result.Correct}/{result.Total})");
                record = Record(path, Path.GetFileName(name), new() { ["accuracy"] = result.Accuracy, ["correct"] = result.Correct, ["total"] = result.Total },
                    result.BySubject, result.Scores.Select(s => new { question = s.Item.Question, answer = s.Item.Answer.ToString(), predicted = s.Predicted.ToString(), probabilities = s.Probabilities }));
            }
            record = record with { Settings = new Dictionary<string, object?> { ["shots"] = parse.GetValue(shots), ["limit"] = parse.GetValue(limit), ["tokenizer"] = tok.VocabSize } };
            var saved = record.Save(parse.GetValue(outDir)!);
            output.WriteLine(JsonSerializer.Serialize(new { checkpoint = record.Checkpoint, benchmark = record.Benchmark, metrics = record.Metrics, by_subject = record.BySubject, saved }));
            return 0;
        })));
        return command;
    }

    static bool IsQuizFile(string name) =>
        name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) && File.Exists(name) &&
        File.ReadLines(name).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l)) is { } first && !first.Contains("\"choices\"");

    static EvaluationRecord Record(string checkpoint, string benchmark, Dictionary<string, double> metrics, IReadOnlyDictionary<string, double>? bySubject, object? details) =>
        new() { Checkpoint = checkpoint, Benchmark = benchmark, Metrics = metrics, BySubject = bySubject, Details = details };
}
