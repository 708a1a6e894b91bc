using MiniMind.Engine.Checkpoints;
using MiniMind.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Chat;

/// <summary>
/// A temporary out/ folder as training leaves it: the tiny-dense reference model saved as a studio
/// checkpoint (its sidecar naming the seed tokenizer), a LoRA adapter on it, and a file that is not servable.
/// </summary>
public sealed class ChatOutFolder : IDisposable
{
    public ChatOutFolder()
    {
        Dir = Directory.CreateTempSubdirectory("minimind-chat-").FullName;
        using var model = Fixture.TinyDenseModel();
        ModelCheckpoint.Save(model, BasePath, new CheckpointInfo { Config = model.Config, Stage = "sft", Tokenizer = Fixture.Path("seed-tokenizer") });
        var settings = new LoraSettings(4, 8, "square");
        LoRAAdapters.Attach(model, settings);
        manual_seed(11);
        using (no_grad())
            foreach (var p in LoRAAdapters.AdapterParameters(model).Where(p => p.shape[1] == 4)) p.normal_(0, 0.5); // the B halves: non-zero, so the adapter matters
        AdapterCheckpoint.Save(model, AdapterPath, new CheckpointInfo { Config = model.Config, Stage = "lora", Tokenizer = Fixture.Path("seed-tokenizer"), BaseCheckpoint = BasePath, Lora = settings });
        File.WriteAllText(Path.Combine(Dir, "notes.safetensors"), "not a checkpoint, and no sidecar");
    }

    public string Dir { get; }
    public string BasePath => Path.Combine(Dir, "tiny.safetensors");
    public string AdapterPath => Path.Combine(Dir, "lora", "identity.safetensors");

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
