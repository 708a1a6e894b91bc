using System.CommandLine;
using MiniMind.Engine.Model;
using MiniMind.Engine.Runtime;

namespace MiniMind.Studio.Cli;

/// <summary><c>info</c>: the engine line (TorchSharp, libtorch, device, threads) and the model presets.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the engine (TorchSharp, libtorch, device, threads) and the model presets");
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var runtime = StudioCli.StartEngine(parse);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"libtorch loaded from: {runtime.LoadedLibTorch ?? "(unknown)"}");
            output.WriteLine(CpuThreads.Describe());
            foreach (var (name, config) in MiniMindConfig.Presets)
            {
                output.WriteLine($"preset {name,-6} dim {config.Dim,4} layers {config.NLayers,2} heads {config.NHeads}/{config.KvHeads} " +
                                 $"{(config.UseMoe ? $"MoE {config.NRoutedExperts}x top-{config.NumExpertsPerTok}" : "dense"),-14} {config.ParameterCount / 1e6:F1}M parameters");
            }
            return 0;
        }));
        return command;
    }
}
