namespace MiniMind.Bench;

/// <summary>The entry point (not top-level statements: those would name a global Program beside the studio's).</summary>
static class BenchProgram
{
    static Task<int> Main(string[] args) => BenchCli.RunAsync(args);
}
