using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Interop.Gguf;
using MiniMind.Engine.IO;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using static TorchSharp.torch;

namespace MiniMind.Engine.Interop;

/// <summary>
/// Writes a studio checkpoint for other tools: a Hugging Face <c>LlamaForCausalLM</c> folder (transformers,
/// and through it vLLM and llama.cpp's GGUF converter) or the original MiniMind <c>.pth</c> layout (the
/// original Python scripts, torchrun/DeepSpeed) or a GGUF file with an Ollama Modelfile (llama.cpp, Ollama, LM Studio). The folder is built under a temporary name beside the target
/// and renamed at the end, so a failure never leaves a half-written export under the real name.
/// </summary>
public static class CheckpointExporter
{
    /// <summary>
    /// The file every export folder holds: the mark that the studio wrote it, without which overwrite refuses to replace
    /// a folder (a typed path may name the user's own files, the datasets or the studio's folder).
    /// </summary>
    public const string MarkerFile = ".minimind-export.json";

    static readonly string[] TokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"];

    /// <param name="checkpointPath">A studio checkpoint (.safetensors with its sidecar), or a seed-layout file with <see cref="ExportOptions.Config"/>.</param>
    /// <param name="format">What to write.</param>
    /// <param name="outDir">The folder to create.</param>
    /// <param name="tokenizerDir">The tokenizer folder (or tokenizer.json); defaults to the one the sidecar names. Required for Hugging Face and GGUF.</param>
    public static ExportResult Export(string checkpointPath, ExportFormat format, string outDir, string? tokenizerDir = null, ExportOptions? options = null)
    {
        options ??= new ExportOptions();
        if (!File.Exists(checkpointPath)) throw new FileNotFoundException($"Checkpoint not found: {checkpointPath}", checkpointPath);
        var info = ModelCheckpoint.ReadInfo(checkpointPath);
        if (info?.Lora is not null)
            throw new ArgumentException($"{checkpointPath} is a LoRA adapter, not a model: export its base checkpoint with --lora {checkpointPath}.");
        var target = Path.GetFullPath(outDir);
        if (File.Exists(target)) throw new IOException($"{target} is a file; the export is a folder.");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            if (!options.Overwrite)
                throw new IOException($"{target} exists and is not empty; choose another folder, or allow replacing an earlier export (overwrite).");
            if (!File.Exists(Path.Combine(target, MarkerFile)))
                throw new IOException($"{target} is not a folder an export wrote (it has no {MarkerFile}): only an earlier export is ever replaced. Choose a new or empty folder.");
        }

        using var model = ModelCheckpoint.Load(checkpointPath, options.Config);
        if (format == ExportFormat.HuggingFaceLlama && model.Config.UseMoe && model.Config.Family != MiniMindConfig.MiniMind3)
            throw new ArgumentException(
                $"{checkpointPath} is a mixture-of-experts model: transformers' LlamaForCausalLM has no MoE layer. Export it in the MiniMind format (--format minimind).");
        if (format == ExportFormat.Gguf) GgufModelFile.Architecture(model.Config); // refuses a model llama.cpp cannot run before any work
        if (options.LoraAdapter is { } adapter)
        {
            AdapterCheckpoint.Load(model, adapter);
            LoRAAdapters.Merge(model);
        }
        var tokenizer = ResolveTokenizer(tokenizerDir, info, format);
        var parent = Path.GetDirectoryName(target)!;
        var temporary = AtomicFile.TemporaryPath(target);
        try
        {
            Directory.CreateDirectory(parent);
            Directory.CreateDirectory(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write the export under {parent}: {e.Message}", e);
        }
        var state = new Dictionary<string, Tensor>();
        try
        {
            state = FloatStateDict(model);
            GgufCheckResult? check = null;
            string? note = null;
            var files = format switch
            {
                ExportFormat.HuggingFaceLlama => WriteHuggingFace(temporary, model.Config, state, tokenizer!),
                ExportFormat.Gguf => WriteGguf(temporary, model, state, tokenizer!, checkpointPath, options, out check, out note),
                _ => WriteMiniMind(temporary, model.Config, state, info?.Stage, checkpointPath, tokenizer),
            };
            File.WriteAllText(Path.Combine(temporary, MarkerFile), System.Text.Json.JsonSerializer.Serialize(new
            {
                written_by = "MiniMind Studio export", checkpoint = Path.GetFullPath(checkpointPath), format = format.ToString(), time_utc = DateTimeOffset.UtcNow,
            }));
            Publish(temporary, target);
            return new ExportResult(target, format, [.. files, MarkerFile]) { Check = check, Note = note };
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
            foreach (var t in state.Values) t.Dispose();
        }
    }

    /// <summary>The seed-layout file name the original scripts look for: pretrain_512.pth, full_sft_512_moe.pth, ...</summary>
    public static string MiniMindFileName(MiniMindConfig config, string? stage, string checkpointPath)
    {
        bool current = config.Family == MiniMindConfig.MiniMind3; // the current original's trainers' save_weight names
        string? prefix = stage switch
        {
            "pretrain" => "pretrain",
            "sft" => "full_sft",
            "dpo" => current ? "dpo" : "rlhf",
            "distill" => "full_dist",
            "reason" => current ? null : "reason",
            "grpo" => current ? "grpo" : null,
            _ => null,
        };
        return prefix is null
            ? Path.GetFileNameWithoutExtension(checkpointPath) + ".pth"
            : $"{prefix}_{config.Dim}{(config.UseMoe ? "_moe" : "")}.pth";
    }

    static List<string> WriteHuggingFace(string dir, MiniMindConfig config, Dictionary<string, Tensor> state, string tokenizerDir)
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(tokenizerDir);
        if (tokenizer.VocabSize > config.VocabSize)
            throw new ArgumentException($"The tokenizer in {tokenizerDir} has {tokenizer.VocabSize} tokens but the model's vocabulary is {config.VocabSize}: not this model's tokenizer.");
        var tensors = LayoutConverter.ToTransformers(state, config);
        try
        {
            SafetensorsFile.Write(Path.Combine(dir, "model.safetensors"), tensors);
        }
        finally
        {
            foreach (var (_, t) in tensors) if (!state.Values.Any(s => s.Handle == t.Handle)) t.Dispose();
        }
        File.WriteAllText(Path.Combine(dir, "config.json"), config.Family == MiniMindConfig.MiniMind3
            ? HuggingFaceConfig.ToQwen3Json(config, tokenizer.BosId, tokenizer.EosId, tokenizer.PadId)
            : HuggingFaceConfig.ToLlamaJson(config, tokenizer.BosId, tokenizer.EosId, tokenizer.PadId));
        File.WriteAllText(Path.Combine(dir, "generation_config.json"), HuggingFaceConfig.GenerationJson(tokenizer.BosId, tokenizer.EosId, tokenizer.PadId));
        return ["config.json", "generation_config.json", "model.safetensors", .. CopyTokenizer(tokenizerDir, dir)];
    }

    /// <summary>The GGUF file name for a checkpoint: its name and the weight type, e.g. demo_full_sft-f16.gguf.</summary>
    public static string GgufFileName(string checkpointPath, GgmlType type) =>
        $"{Path.GetFileNameWithoutExtension(checkpointPath)}-{type.ToString().ToLowerInvariant()}.gguf";

    static List<string> WriteGguf(string dir, MiniMindModel model, Dictionary<string, Tensor> state, string tokenizerDir, string checkpointPath,
        ExportOptions options, out GgufCheckResult? check, out string? note)
    {
        var config = model.Config;
        var tokenizer = GgufTokenizer.Read(tokenizerDir, config.VocabSize);
        var name = GgufFileName(checkpointPath, options.Quantization);
        var path = Path.Combine(dir, name);
        GgufModelFile.Write(path, config, state, tokenizer, options.Quantization, Path.GetFileNameWithoutExtension(checkpointPath));
        var studioTokenizer = ByteLevelBpeTokenizer.Load(tokenizerDir);
        var (modelfile, modelfileNote) = OllamaModelfile.Create(name, studioTokenizer.ChatTemplate, studioTokenizer.BosToken, studioTokenizer.EosToken, config.MaxSeqLen);
        File.WriteAllText(Path.Combine(dir, "Modelfile"), modelfile);
        note = modelfileNote;
        check = options.CheckWithLlamaCpp ? GgufCheck.FirstTokens(path, model, studioTokenizer) : null;
        return [name, "Modelfile", .. CopyTokenizer(tokenizerDir, dir)];
    }

    static List<string> WriteMiniMind(string dir, MiniMindConfig config, Dictionary<string, Tensor> state, string? stage, string checkpointPath, string? tokenizerDir)
    {
        var name = MiniMindFileName(config, stage, checkpointPath);
        if (config.Family == MiniMindConfig.MiniMind3)
        {
            // the current original's state dict is in transformers' names and rotate-half q/k order (its model_minimind.py)
            var tensors = LayoutConverter.ToTransformers(state, config);
            try
            {
                // its trainers save the tied head under both names (state_dict()), so the file does too
                PthFile.Write(Path.Combine(dir, name), tensors.Append(new("lm_head.weight", state["output.weight"])).ToDictionary(kv => kv.Key, kv => kv.Value));
            }
            finally
            {
                foreach (var (_, t) in tensors) if (!state.Values.Any(s => s.Handle == t.Handle)) t.Dispose();
            }
        }
        else PthFile.Write(Path.Combine(dir, name), state);
        File.WriteAllText(Path.Combine(dir, "lmconfig.json"), config.ToJson());
        List<string> files = [name, "lmconfig.json", .. tokenizerDir is null ? [] : CopyTokenizer(tokenizerDir, dir)];
        if (config.Family == MiniMindConfig.MiniMind3 && OriginalLaunch.Script(config, name, stage) is { } script)
        {
            File.WriteAllText(Path.Combine(dir, OriginalLaunch.FileName), script);
            files.Add(OriginalLaunch.FileName);
        }
        return files;
    }

    static List<string> CopyTokenizer(string tokenizerDir, string dir)
    {
        var copied = new List<string>();
        foreach (var file in TokenizerFiles)
        {
            var from = Path.Combine(tokenizerDir, file);
            if (!File.Exists(from)) continue;
            File.Copy(from, Path.Combine(dir, file));
            copied.Add(file);
        }
        return copied;
    }

    /// <summary>The tokenizer folder: the argument, else the sidecar's; a tokenizer.json path means its folder.</summary>
    static string? ResolveTokenizer(string? tokenizerDir, CheckpointInfo? info, ExportFormat format)
    {
        var path = tokenizerDir ?? info?.Tokenizer;
        if (path is not null && File.Exists(path)) path = Path.GetDirectoryName(Path.GetFullPath(path));
        if (path is not null && !File.Exists(Path.Combine(path, "tokenizer.json")))
        {
            if (tokenizerDir is not null || format != ExportFormat.MiniMindPth)
                throw new FileNotFoundException($"No tokenizer.json in {path} (the tokenizer folder of the export).", Path.Combine(path, "tokenizer.json"));
            path = null; // the .pth export can do without the tokenizer the sidecar remembered
        }
        if (path is null && format != ExportFormat.MiniMindPth)
            throw new ArgumentException($"A {(format == ExportFormat.Gguf ? "GGUF" : "Hugging Face")} export needs the model's tokenizer: give its folder (--tokenizer DIR); the checkpoint's sidecar names none.");
        return path;
    }

    /// <summary>Every weight as a float32, contiguous CPU tensor that owns its storage (what both writers need).</summary>
    internal static Dictionary<string, Tensor> FloatStateDict(MiniMindModel model)
    {
        var result = new Dictionary<string, Tensor>();
        using (no_grad())
        {
            foreach (var (name, t) in model.state_dict().Where(kv => !kv.Key.Contains(".lora.", StringComparison.Ordinal)))
                result[name] = t.detach().to(ScalarType.Float32).cpu().clone().contiguous();
        }
        return result;
    }

    /// <summary>Renames the finished temporary folder to the target; an old export is moved aside first and removed after.</summary>
    static void Publish(string temporary, string target) =>
        AtomicFile.ReplaceFolder(temporary, target, target + $".{Guid.NewGuid():N}.old");
}
