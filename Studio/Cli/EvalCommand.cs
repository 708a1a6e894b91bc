using System.CommandLine;
using System.Text.Json;
using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Evaluation;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using MiniMind.Studio.Hosting;

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
        var model = new Option<FileInfo>("--model") { Description = "A studio checkpoint (.safetensors with its .json sidecar), or a LoRA adapter (evaluated merged into its base)", Required = true };
        var benchmark = new Option<string>("--benchmark") { Description = "demo | preference | identity | reasoning | grpo | perplexity | a C-Eval/CMMLU .csv | a .jsonl ({question, choices, answer}, {question, answer}, {question, expect: [...]})", DefaultValueFactory = _ => "demo" };
        var shots = new Option<int>("--shots") { Description = "Few-shot examples per subject (multiple choice)", DefaultValueFactory = _ => 0 };
        var data = new Option<FileInfo?>("--data") { Description = "Held-out text for perplexity (.jsonl with \"text\", or plain text) [default: dataset/pretrain_demo.jsonl]" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder [default: the checkpoint's]" };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N questions / documents" };
        var outDir = new Option<string>("--out-dir") { Description = "Where evals/ goes", DefaultValueFactory = _ => "out" };
        var documentTokens = new Option<int>("--max-document-tokens")
        {
            Description = "Perplexity: score at most this many tokens of each document (a longer one is cut, and the output says how many were)",
            DefaultValueFactory = _ => PerplexityBudget.DefaultDocumentTokens,
        };
        var totalTokens = new Option<long>("--max-tokens")
        {
            Description = "Perplexity: stop once this many tokens are scored (the output says how many documents were not reached)",
            DefaultValueFactory = _ => PerplexityBudget.DefaultTokens,
        };
        var command = new Command("eval", "Evaluate a checkpoint: demo quiz, multiple-choice benchmark or perplexity")
        {
            model, benchmark, shots, data, tokenizer, limit, documentTokens, totalTokens, outDir,
        };
        command.SetAction((parse, cancel) => Task.FromResult(StudioCli.Guard(parse, () =>
        {
            var runtime = StudioCli.StartEngine(parse);
            var path = parse.GetValue(model)!.FullName;
            using var net = EvaluatedModel.Load(path, runtime.Device);
            var tok = ByteLevelBpeTokenizer.Load(parse.GetValue(tokenizer) is { } chosen ? StudioCli.ResolvePath(chosen)
                : ModelCheckpoint.TokenizerPathOf(path, ContentRoot.Find()) ?? throw new ArgumentException($"{path} names no tokenizer; give --tokenizer."));
            var output = parse.InvocationConfiguration.Output;
            var bar = new ProgressBar(parse.InvocationConfiguration.Error);
            var progress = new SynchronousProgress<(int Done, int Total)>(p => bar.Report("evaluating", p.Done, p.Total));
            var spec = Benchmark(parse.GetValue(benchmark)!, parse.GetValue(data)?.FullName, parse.GetValue(shots));
            var budget = new PerplexityBudget(parse.GetValue(documentTokens), parse.GetValue(totalTokens));
            budget.Validate();
            var record = BenchmarkRunner.Run(net, tok, path, spec, parse.GetValue(limit), progress, cancel, budget);
            bar.Done();
            Print(output, record);
            var saved = record.Save(StudioCli.ResolvePath(parse.GetValue(outDir)!));
            output.WriteLine(JsonSerializer.Serialize(new { checkpoint = record.Checkpoint, benchmark = record.Benchmark, metrics = record.Metrics, by_subject = record.BySubject, saved }));
            return 0;
        })));
        return command;
    }

    static string Clip(string text) => text.Length > 80 ? text[..80] + "…" : text;

    /// <summary>demo | perplexity | a .csv (multiple choice) | a .jsonl: multiple choice when its records have "choices", tool use with "tool", else a quiz.</summary>
    static EvaluationBenchmark Benchmark(string name, string? data, int shots)
    {
        if (name == "demo") return new EvaluationBenchmark(EvaluationBenchmarkKind.Quiz, StudioCli.ResolvePath(EvaluationBenchmark.DemoQuizFile));
        if (EvaluationBenchmark.DemoBehaviourFiles.TryGetValue(name, out var behaviour))
            return new EvaluationBenchmark(EvaluationBenchmark.KindOfFile(StudioCli.ResolvePath(behaviour)), StudioCli.ResolvePath(behaviour));
        if (name == "perplexity") return new EvaluationBenchmark(EvaluationBenchmarkKind.Perplexity, data ?? StudioCli.ResolvePath(EvaluationBenchmark.DemoTextFile));
        if (!File.Exists(name)) throw new FileNotFoundException($"Benchmark file not found: {name} (or use demo / perplexity).", name);
        return new EvaluationBenchmark(EvaluationBenchmark.KindOfFile(name), name, shots);
    }

    static void Print(TextWriter output, EvaluationRecord record)
    {
        if (record.Details is IReadOnlyList<ToolUseOutcome> outcomes)
            foreach (var o in outcomes.Take(10))
                output.WriteLine($"{(o.RightCall ? "✓" : "✗")} call {(o.Answered ? "✓" : "✗")} answer  {o.Question} -> {Clip(o.FirstAnswer)} -> {Clip(o.FinalAnswer)}");
        if (record.Details is IReadOnlyList<QuizItem> items)
            foreach (var item in items.Take(10))
                output.WriteLine($"{(item.Correct ? "✓" : "✗")} {item.Question} -> {(item.Answer.Length > 100 ? item.Answer[..100] + "…" : item.Answer)}");
        foreach (var (subject, accuracy) in (record.BySubject ?? new Dictionary<string, double>()).OrderBy(kv => kv.Key))
            output.WriteLine($"{subject,-30} {accuracy:P1}");
        var m = record.Metrics;
        output.WriteLine(m.ContainsKey("perplexity")
            ? $"perplexity {m["perplexity"]:F3}   bits/byte {m["bits_per_byte"]:F4}   ({EvaluationRecord.PerplexityScope(m)})"
            : $"accuracy {m["accuracy"]:P1} ({m["correct"]}/{m["total"]}){(m.TryGetValue("format_valid", out var valid) ? $", format valid {valid:P1}" : "")}");
    }
}
