using System.CommandLine;
using System.Text.Json;
using MiniMind.Engine.IO;
using MiniMind.Studio.Cli;
using MiniMind.Studio.Hosting;

namespace MiniMind.Bench;

/// <summary><c>dataset</c>: indexing, random reads, statistics, the loader and peak memory on generated data (<see cref="DatasetBenchmark"/>).</summary>
public static class DatasetBench
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static Command Create()
    {
        var tokenizer = new Option<DirectoryInfo?>("--tokenizer") { Description = "Tokenizer folder [default: dataset/tokenizer]" };
        var indexMb = new Option<long>("--index-mb") { Description = "Size of the generated file to index (MB)", DefaultValueFactory = _ => 2048 };
        var statsMb = new Option<long>("--stats-mb") { Description = "Size of the file for statistics and the loader (MB)", DefaultValueFactory = _ => 128 };
        var maxSeqLen = new Option<int>("--max-seq-len") { DefaultValueFactory = _ => 512 };
        var batchSize = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var scratch = new Option<DirectoryInfo?>("--scratch") { Description = "Where to write the generated files [default: the temp folder]; deleted afterwards" };
        var command = new Command("dataset", "Measure indexing, random reads, statistics, the loader and peak memory on generated data; prints JSON")
        {
            tokenizer, indexMb, statsMb, maxSeqLen, batchSize, scratch,
        };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var error = parse.InvocationConfiguration.Error;
            var tok = parse.GetValue(tokenizer)?.FullName ?? Path.Combine(ContentRoot.Find(), "dataset", "tokenizer");
            var result = DatasetBenchmark.Run(new DatasetBenchmark.Options(tok, parse.GetValue(indexMb), parse.GetValue(statsMb),
                parse.GetValue(maxSeqLen), parse.GetValue(batchSize), ScratchDir: parse.GetValue(scratch)?.FullName),
                new SynchronousProgress<string>(m => error.WriteLine($"bench: {m}")));
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(result, Json));
            return 0;
        }));
        return command;
    }
}
