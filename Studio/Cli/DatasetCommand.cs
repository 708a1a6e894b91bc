using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using MiniMind.Engine.Data;
using MiniMind.Engine.Data.Demo;
using MiniMind.Engine.IO;
using MiniMind.Engine.Tokenization;
using MiniMind.Studio.Hosting;

namespace MiniMind.Studio.Cli;

/// <summary>
/// <c>dataset stats|validate|generate-demo</c>: inspect, check and create training data. None of these starts
/// libtorch. Results go to stdout (JSON for stats), progress to stderr.
/// </summary>
public static class DatasetCommand
{
    /// <summary>Exit code of <c>validate</c> when the file has more bad records than allowed.</summary>
    public const int TooManyErrors = 2;

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static Command Create()
    {
        var command = new Command("dataset", "Inspect, validate and generate training data (jsonl or parquet)");
        command.Subcommands.Add(Stats());
        command.Subcommands.Add(Validate());
        command.Subcommands.Add(GenerateDemo());
        return command;
    }

    static Argument<FileInfo> FileArgument() => new("file") { Description = "A jsonl or parquet dataset" };

    static Option<DatasetKind?> KindOption() => new("--kind") { Description = "pretrain, sft, dpo or reasoning [default: detected from the records]" };

    static Command Stats()
    {
        var file = FileArgument();
        var kind = KindOption();
        var tokenizer = new Option<DirectoryInfo?>("--tokenizer") { Description = "Tokenizer folder: count tokens (else lengths are in characters)" };
        var maxSeqLen = new Option<int?>("--max-seq-len") { Description = "Report how many sequences are longer (needs --tokenizer)" };
        var command = new Command("stats", "Record, character and token counts, length histogram, truncation rate, turns and roles (cached in .cache/)")
        {
            file, kind, tokenizer, maxSeqLen,
        };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var error = parse.InvocationConfiguration.Error;
            var tok = parse.GetValue(tokenizer) is { } dir ? ByteLevelBpeTokenizer.Load(dir.FullName) : null;
            var last = -1;
            var statistics = DatasetAnalyzer.Analyze(parse.GetValue(file)!.FullName, parse.GetValue(kind), tok, parse.GetValue(maxSeqLen),
                new SynchronousProgress<double>(f =>
                {
                    var percent = (int)(f * 100);
                    if (percent / 10 == last / 10) return;
                    last = percent;
                    error.WriteLine($"stats: {percent}%");
                }));
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(statistics, Json));
            return 0;
        }));
        return command;
    }

    static Command Validate()
    {
        var file = FileArgument();
        var kind = KindOption();
        var maxErrors = new Option<long>("--max-errors") { Description = "Bad records tolerated before the exit code turns non-zero", DefaultValueFactory = _ => 0 };
        var show = new Option<long>("--show") { Description = "Problems printed at most", DefaultValueFactory = _ => 50 };
        var command = new Command("validate", $"List malformed records (file:line: field: problem; rows for parquet); exit code {TooManyErrors} when more than --max-errors")
        {
            file, kind, maxErrors, show,
        };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            var path = parse.GetValue(file)!.FullName;
            var result = DatasetAnalyzer.Validate(path, parse.GetValue(kind), p => output.WriteLine(p), parse.GetValue(show));
            var limit = parse.GetValue(maxErrors);
            var noun = DatasetFile.IsParquet(path) ? "rows" : "lines";
            output.WriteLine($"{path}: {result.Lines} {noun}, {result.Records} valid, {result.Bad} bad ({result.BadShare:P2}), {result.Blank} blank");
            if (result.Records == 0)
            {
                // nothing to train on is not a valid dataset, however few its bad records
                parse.InvocationConfiguration.Error.WriteLine($"error: {path}: holds no valid record.");
                return TooManyErrors;
            }
            if (result.Bad <= limit) return 0;
            output.WriteLine($"{result.Bad} bad records exceed --max-errors {limit}");
            return TooManyErrors;
        }));
        return command;
    }

    static Command GenerateDemo()
    {
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Folder to write into [default: dataset/ of the repository]" };
        var command = new Command("generate-demo", "Write the demo datasets and train their tokenizer (deterministic: rebuilds the committed files byte for byte)")
        {
            outDir,
        };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var output = parse.InvocationConfiguration.Output;
            var dir = parse.GetValue(outDir)?.FullName ?? Path.Combine(ContentRoot.Find(), "dataset");
            DemoCorpus.Generate(dir, new SynchronousProgress<string>(output.WriteLine));
            output.WriteLine($"demo corpus and tokenizer written to {dir}");
            return 0;
        }));
        return command;
    }
}
