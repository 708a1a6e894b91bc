using System.CommandLine;
using System.Text.Json;
using MiniMind.Engine.Interop;
using MiniMind.Engine.Model;

namespace MiniMind.Studio.Cli;

/// <summary>
/// <c>export CHECKPOINT --format hf|minimind --out DIR</c>: a Hugging Face LlamaForCausalLM folder or the
/// original MiniMind .pth layout. Prints one JSON line with the folder and its files.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<FileInfo>("checkpoint") { Description = "A studio checkpoint (.safetensors with its .json sidecar)" };
        var format = new Option<string>("--format") { Description = "hf (transformers LlamaForCausalLM folder) or minimind (original .pth layout)", Required = true };
        format.AcceptOnlyFromAmong("hf", "minimind");
        var output = new Option<DirectoryInfo>("--out") { Description = "The folder to create", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder [default: the one the checkpoint's sidecar names]" };
        var config = new Option<FileInfo?>("--config") { Description = "LMConfig JSON, for a seed-layout .safetensors without a sidecar" };
        var lora = new Option<FileInfo?>("--lora") { Description = "A LoRA adapter (studio .safetensors) to merge into the weights first" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an earlier export in the output folder (one holding .minimind-export.json; any other non-empty folder is refused)" };
        var command = new Command("export", "Export a checkpoint as a Hugging Face Llama folder or as the original MiniMind .pth")
            { checkpoint, format, output, tokenizer, config, lora, overwrite };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            StudioCli.StartEngine(parse);
            var configFile = parse.GetValue(config);
            var result = CheckpointExporter.Export(
                parse.GetValue(checkpoint)!.FullName,
                parse.GetValue(format) == "hf" ? ExportFormat.HuggingFaceLlama : ExportFormat.MiniMindPth,
                parse.GetValue(output)!.FullName,
                parse.GetValue(tokenizer),
                new ExportOptions
                {
                    Config = configFile is null ? null : MiniMindConfig.Load(configFile.FullName),
                    LoraAdapter = parse.GetValue(lora)?.FullName,
                    Overwrite = parse.GetValue(overwrite),
                });
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
            {
                output = result.OutputDirectory,
                format = parse.GetValue(format),
                files = result.Files,
            }));
            return 0;
        }));
        return command;
    }
}
