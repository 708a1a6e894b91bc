using System.CommandLine;
using MiniMind.Studio.Cli;

namespace MiniMind.Bench;

/// <summary>
/// The benchmark instruments, each printing JSON lines (run the Release build):
/// <c>dotnet run -c Release --project tools/Bench -- train|generate|llamacpp|gguf-check|tokenizer|parity|dataset|info [options]</c>.
/// The engine options (<c>--device</c>, <c>--threads</c>, <c>--libtorch</c>) and <c>info</c> are the studio's.
/// </summary>
public static class BenchCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("MiniMind Studio's benchmarks: training, decoding, tokenizer and dataset throughput, and parity with the original's golden outputs (JSON on stdout)");
        root.Options.Add(StudioCli.Device);
        root.Options.Add(StudioCli.LibTorch);
        root.Options.Add(StudioCli.Threads);
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(TrainBench.Create());
        root.Subcommands.Add(GenerateBench.Create());
        root.Subcommands.Add(TokenizerBench.Create());
        root.Subcommands.Add(ParityBench.Create());
        root.Subcommands.Add(DatasetBench.Create());
        root.Subcommands.Add(LlamaCppBench.Create());
        root.Subcommands.Add(GgufCheckBench.Create());
        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null) =>
        StudioCli.Invoke(Build(), args, output, error);
}
