using System.CommandLine;
using System.Text.Json;
using MiniMind.Engine.Interop;
using MiniMind.Engine.Interop.Gguf;
using MiniMind.Engine.Model;

namespace MiniMind.Studio.Cli;

/// <summary>
/// <c>export CHECKPOINT --format hf|minimind|gguf --out DIR [--quant f32|f16|q8_0]</c>: a Hugging Face LlamaForCausalLM
/// folder, the original MiniMind .pth layout, or a GGUF file with an Ollama Modelfile, loaded back in llama.cpp as a check.
/// Prints one JSON line with the folder, its files and (GGUF) the check.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<FileInfo>("checkpoint") { Description = "A studio checkpoint (.safetensors with its .json sidecar)" };
        var format = new Option<string>("--format") { Description = "hf (transformers LlamaForCausalLM folder), minimind (original .pth layout) or gguf (llama.cpp, Ollama, LM Studio)", Required = true };
        format.AcceptOnlyFromAmong("hf", "minimind", "gguf");
        var quant = new Option<string>("--quant") { Description = "GGUF weight type: f32, f16 or q8_0 (8-bit blocks) [default: f16]", DefaultValueFactory = _ => "f16" };
        quant.AcceptOnlyFromAmong("f32", "f16", "q8_0");
        var noCheck = new Option<bool>("--no-check") { Description = "GGUF: skip loading the file back in llama.cpp to compare its first tokens with the studio's" };
        var output = new Option<DirectoryInfo>("--out") { Description = "The folder to create", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder [default: the one the checkpoint's sidecar names]" };
        var config = new Option<FileInfo?>("--config") { Description = "LMConfig JSON, for a seed-layout .safetensors without a sidecar" };
        var lora = new Option<FileInfo?>("--lora") { Description = "A LoRA adapter (studio .safetensors) to merge into the weights first" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an earlier export in the output folder (one holding .minimind-export.json; any other non-empty folder is refused)" };
        var command = new Command("export", "Export a checkpoint as a Hugging Face Llama folder, the original MiniMind .pth, or GGUF for llama.cpp/Ollama/LM Studio")
            { checkpoint, format, output, tokenizer, config, lora, overwrite, quant, noCheck };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            StudioCli.StartEngine(parse);
            var configFile = parse.GetValue(config);
            var result = CheckpointExporter.Export(
                parse.GetValue(checkpoint)!.FullName,
                parse.GetValue(format) switch { "hf" => ExportFormat.HuggingFaceLlama, "gguf" => ExportFormat.Gguf, _ => ExportFormat.MiniMindPth },
                parse.GetValue(output)!.FullName,
                parse.GetValue(tokenizer),
                new ExportOptions
                {
                    Config = configFile is null ? null : HuggingFaceConfig.ReadAny(configFile.FullName),
                    LoraAdapter = parse.GetValue(lora)?.FullName,
                    Overwrite = parse.GetValue(overwrite),
                    Quantization = parse.GetValue(quant) switch { "f32" => GgmlType.F32, "q8_0" => GgmlType.Q8_0, _ => GgmlType.F16 },
                    CheckWithLlamaCpp = !parse.GetValue(noCheck),
                });
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
            {
                output = result.OutputDirectory,
                format = parse.GetValue(format),
                files = result.Files,
                note = result.Note,
                llama_cpp = result.Check is { } check
                    ? new { equal = check.Equal, summary = check.Summary, prompt_tokens = check.StudioPrompt.Count, studio = check.StudioText, llama_cpp = check.LlamaCppText }
                    : null,
            }));
            return 0;
        }));
        return command;
    }
}
