using System.CommandLine;
using MiniMind.Engine.Runtime;
using MiniMind.Studio.Hosting;

namespace MiniMind.Studio.Cli;

/// <summary>
/// The command line: with no verb it starts the web studio; every verb runs and exits.
/// Output meant for other programs goes to stdout; the engine's start line goes to stderr.
/// </summary>
public static class StudioCli
{
    public static readonly Option<string?> Device = new("--device")
    {
        Description = "auto (CUDA when available), cpu, cuda or cuda:N [default: Engine:Device in appsettings.json, else auto]",
        Recursive = true,
    };

    public static readonly Option<string?> LibTorch = new("--libtorch")
    {
        Description = "Folder of an existing libtorch, e.g. a PyTorch installation's torch/lib (also MINIMIND_LIBTORCH or Engine:LibTorchPath)",
        Recursive = true,
    };

    public static readonly Option<int?> Threads = new("--threads")
    {
        Description = "CPU threads for libtorch [default: libtorch's choice]",
        Recursive = true,
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("MiniMind Studio: train a tiny language model from scratch and talk to it. With no command, starts the web studio.")
        {
            TreatUnmatchedTokensAsErrors = false, // ASP.NET options such as --urls pass through to the host
        };
        root.Options.Add(Device);
        root.Options.Add(LibTorch);
        root.Options.Add(Threads);
        root.SetAction(async (parse, cancel) =>
        {
            var app = StudioHost.Build([.. parse.UnmatchedTokens], RuntimeFrom(parse));
            await app.RunAsync(cancel);
            return 0;
        });
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(ForwardCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(ChatCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        foreach (var command in TokenizerCommands.Create()) root.Subcommands.Add(command);
        root.Subcommands.Add(DatasetCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null) => Invoke(Build(), args, output, error);

    /// <summary>Parses and runs <paramref name="args"/> against <paramref name="root"/>, printing to the writers given (tests capture them).</summary>
    public static Task<int> Invoke(RootCommand root, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var config = new InvocationConfiguration();
        if (output is not null) config.Output = output;
        if (error is not null) config.Error = error;
        return root.Parse(args).InvokeAsync(config);
    }

    /// <summary>Engine options: the command line over appsettings.json over defaults.</summary>
    public static RuntimeOptions RuntimeFrom(ParseResult parse)
    {
        var settings = EngineOptions.From(new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(ContentRoot.Find(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables("MINIMIND_")
            .Build()).ToRuntimeOptions();
        return new RuntimeOptions(
            parse.GetValue(Device) ?? settings.Device,
            parse.GetValue(LibTorch) ?? settings.LibTorchPath,
            parse.GetValue(Threads) ?? settings.Threads);
    }

    /// <summary>Starts the engine for a verb and writes its one start line to stderr.</summary>
    public static RuntimeInfo StartEngine(ParseResult parse)
    {
        var info = TorchRuntime.Initialize(RuntimeFrom(parse));
        parse.InvocationConfiguration.Error.WriteLine(info);
        return info;
    }

    /// <summary>
    /// A relative path as the studio means it: relative to the working directory when something is there,
    /// otherwise to the content root (the repository), where the bundled dataset/ and out/ live. So the
    /// defaults (dataset/tokenizer, out) work from any folder, and a user's own relative paths still do.
    /// </summary>
    public static string ResolvePath(string path)
    {
        if (Path.IsPathRooted(path) || File.Exists(path) || Directory.Exists(path)) return Path.GetFullPath(path);
        return Path.Combine(ContentRoot.Find(), path);
    }

    /// <summary>Runs a verb's body, turning expected failures (bad input) into one readable line and exit code 1.</summary>
    public static int Guard(ParseResult parse, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsBadInput(e))
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The failures that bad input causes (a missing or damaged file, a wrong option, a tokenizer that cannot be read), whose
    /// messages name the file and the problem: every verb prints them as one "error:" line, never as a stack trace.
    /// </summary>
    public static bool IsBadInput(Exception e) =>
        e is ArgumentException or InvalidDataException or IOException or InvalidOperationException or UnauthorizedAccessException
            or System.Text.Json.JsonException or FormatException or KeyNotFoundException;
}
