namespace MiniMind.Engine.Interop;

/// <summary>What <see cref="CheckpointExporter"/> writes.</summary>
public enum ExportFormat
{
    /// <summary>A Hugging Face <c>LlamaForCausalLM</c> folder: config.json, model.safetensors, generation_config.json, tokenizer files.</summary>
    HuggingFaceLlama,

    /// <summary>The original MiniMind <c>.pth</c> state dict (with an lmconfig.json), for the original Python scripts.</summary>
    MiniMindPth,
}
