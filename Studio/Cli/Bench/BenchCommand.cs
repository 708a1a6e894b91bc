using System.CommandLine;

namespace MiniMind.Studio.Cli.Bench;

/// <summary><c>bench</c>: the benchmark instruments; each prints JSON lines. Run them in Release (<c>dotnet run -c Release --project Studio -- bench ...</c>).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks (JSON output)");
        command.Subcommands.Add(TokenizerBench.Create());
        command.Subcommands.Add(TrainBench.Create());
        command.Subcommands.Add(GenerateBench.Create());
        command.Subcommands.Add(ParityBench.Create());
        return command;
    }
}
