using MiniMind.Studio.Cli;

namespace MiniMind.Studio.Tests.Cli;

/// <summary>Runs a command line in process, capturing what it prints to stdout and stderr.</summary>
public static class Cli
{
    public static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await StudioCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
