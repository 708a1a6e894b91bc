using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Evaluation;

/// <summary>
/// Loads what a benchmark scores: a model checkpoint as it is, or a LoRA adapter merged into the base checkpoint its
/// sidecar names (so <c>eval --model out/lora_identity_128.safetensors</c> measures the adapter's effect, and the same
/// base alone measures the model without it).
/// </summary>
public static class EvaluatedModel
{
    public static MiniMindModel Load(string checkpoint, Device? device = null)
    {
        var info = ModelCheckpoint.ReadInfo(checkpoint);
        if (info?.Lora is null) return ModelCheckpoint.Load(checkpoint, device: device);
        var basePath = ModelCheckpoint.BaseOf(checkpoint, info)
            ?? throw new FileNotFoundException($"{checkpoint} is a LoRA adapter whose base checkpoint ({info.BaseCheckpoint ?? "named in no sidecar"}) does not exist.");
        var model = ModelCheckpoint.Load(basePath); // on the CPU: the adapter is attached and merged there
        try
        {
            AdapterCheckpoint.Load(model, checkpoint);
            LoRAAdapters.Merge(model);
            if (device is not null && device.type != DeviceType.CPU) model.to(device);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
