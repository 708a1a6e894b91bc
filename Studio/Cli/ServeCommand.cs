using System.CommandLine;
using MiniMind.Studio.Hosting;

namespace MiniMind.Studio.Cli;

/// <summary><c>serve</c>: the OpenAI-compatible API alone (no web pages), on loopback by default.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = "Where to listen [default: Api:Urls in appsettings.json, else http://127.0.0.1:8998]" };
        var command = new Command("serve", "Serve the OpenAI-compatible API (POST /v1/chat/completions, GET /v1/models) for the checkpoints under out/, without the web studio");
        command.Options.Add(urls);
        command.TreatUnmatchedTokensAsErrors = false; // other ASP.NET options (e.g. --Api:ApiKey=...) pass through
        command.SetAction(async (parse, cancel) =>
        {
            var app = ApiHost.Build([.. parse.UnmatchedTokens], StudioCli.RuntimeFrom(parse), parse.GetValue(urls));
            await app.RunAsync(cancel);
            return 0;
        });
        return command;
    }
}
