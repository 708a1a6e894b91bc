using System.CommandLine;
using System.Text.Json;
using MiniMind.Engine.Interop;
using MiniMind.Engine.Model;

namespace MiniMind.Studio.Cli;

/// <summary>
/// <c>import SOURCE --out name.safetensors</c>: the original MiniMind .pth/.safetensors, a transformers-layout
/// file or folder (Llama or the newer MiniMind), or an original LoRA adapter file, as a studio checkpoint.
/// Prints one JSON line describing what was written.
/// </summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "A .pth / .bin / .safetensors file, or a transformers model folder" };
        var output = new Option<FileInfo>("--out") { Description = "The studio checkpoint to write (name.safetensors; name.json goes beside it)", Required = true };
        var config = new Option<FileInfo?>("--config") { Description = "Model config JSON: LMConfig names (dim, n_layers, ...) or the current original's (hidden_size, num_hidden_layers, ...) [default: config.json or lmconfig.json beside the source]" };
        var preset = new Option<string?>("--preset") { Description = $"A model preset as the config ({string.Join(", ", MiniMindConfig.Presets.Keys)}), e.g. minimind3 for the current original's .pth" };
        var heads = new Option<int?>("--heads") { Description = "Attention heads, when the config is read off the tensor shapes (MiniMind2 models use 8)" };
        var baseCheckpoint = new Option<FileInfo?>("--base") { Description = "For a LoRA adapter file: the studio checkpoint it adapts" };
        var stage = new Option<string?>("--stage") { Description = "Stage recorded in the sidecar (pretrain, sft, ...) [default: imported]" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder recorded in the sidecar (used by a later export)" };
        var command = new Command("import", "Import original MiniMind (.pth, .safetensors, LoRA) or transformers-layout weights as a studio checkpoint")
            { source, output, config, preset, heads, baseCheckpoint, stage, tokenizer };
        command.SetAction(parse => StudioCli.Guard(parse, () =>
        {
            StudioCli.StartEngine(parse);
            var configFile = parse.GetValue(config);
            var result = CheckpointImporter.Import(parse.GetValue(source)!, parse.GetValue(output)!.FullName, new ImportOptions
            {
                Config = configFile is not null ? HuggingFaceConfig.ReadAny(configFile.FullName) : parse.GetValue(preset) is { } name ? MiniMindConfig.Preset(name) : null,
                Heads = parse.GetValue(heads),
                BaseCheckpoint = parse.GetValue(baseCheckpoint)?.FullName,
                Stage = parse.GetValue(stage),
                Tokenizer = parse.GetValue(tokenizer),
            });
            parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new
            {
                output = result.OutputPath,
                source = result.WeightsPath,
                layout = result.Layout.ToString(),
                lora_adapter = result.IsLoraAdapter,
                config_from = result.ConfigSource,
                tensors = result.Tensors,
            }));
            return 0;
        }));
        return command;
    }
}
