using MiniMind.Studio.Cli;

namespace MiniMind.Studio.Tests.Cli;

/// <summary>Runs a command line in process, capturing what it prints to stdout and stderr.</summary>
public static class Cli
{
    /// <summary>The studio's command line.</summary>
    public static Task<(int Code, string Out, string Err)> Run(params string[] args) =>
        RunWith((a, output, error) => StudioCli.RunAsync(a, output, error), args);

    /// <summary>Another entry point with the studio's signature (the bench tool's).</summary>
    public static async Task<(int Code, string Out, string Err)> RunWith(Func<string[], TextWriter, TextWriter, Task<int>> entry, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await entry(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
