using System.CommandLine;
using MiniMind.Engine.IO;
using static TorchSharp.torch;

namespace MiniMind.Studio.Cli;

/// <summary><c>forward</c>: logits of token ids in inference mode, written as a float32 safetensors tensor "logits" (rows, length, vocab).</summary>
public static class ForwardCommand
{
    public static Command Create()
    {
        var model = new ModelArguments();
        var output = new Option<FileInfo>("--out") { Description = "Where to write logits.safetensors", Required = true };
        var command = new Command("forward", "Compute the logits of token ids and write them as safetensors");
        model.AddTo(command);
        command.Options.Add(output);
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            var runtime = StudioCli.StartEngine(parse);
            using var net = model.LoadModel(parse, runtime.Device);
            var rows = model.LoadIds(parse, net.Config.VocabSize, equalLength: true);
            var outPath = parse.GetValue(output)!.FullName;
            using var noGrad = no_grad();
            using var ids = tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], ScalarType.Int64, runtime.Device);
            var (logits, _) = net.Forward(ids);
            using var cpuLogits = logits.to(ScalarType.Float32).cpu().contiguous();
            Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
            AtomicFile.Write(outPath, tmp => SafetensorsFile.Write(tmp, [new("logits", cpuLogits)]));
            parse.InvocationConfiguration.Output.WriteLine($"wrote logits [{string.Join(", ", cpuLogits.shape)}] to {outPath}");
            return 0;
        }));
        return command;
    }
}
