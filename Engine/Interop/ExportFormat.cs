namespace MiniMind.Engine.Interop;

/// <summary>What <see cref="CheckpointExporter"/> writes.</summary>
public enum ExportFormat
{
    /// <summary>A Hugging Face <c>LlamaForCausalLM</c> folder: config.json, model.safetensors, generation_config.json, tokenizer files.</summary>
    HuggingFaceLlama,

    /// <summary>The original MiniMind <c>.pth</c> state dict (with an lmconfig.json), for the original Python scripts.</summary>
    MiniMindPth,

    /// <summary>A GGUF file for llama.cpp, Ollama and LM Studio (with an Ollama Modelfile), checked by loading it back in llama.cpp.</summary>
    Gguf,
}
