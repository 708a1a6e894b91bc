namespace MiniMind.Engine.Checkpoints;

/// <summary>A checkpoint or LoRA adapter under out/, with its sidecar when it has one.</summary>
public sealed record CheckpointEntry(string Path, string Id, long SizeBytes, DateTimeOffset ModifiedUtc, CheckpointInfo? Info)
{
    /// <summary>The file name without <c>.safetensors</c>.</summary>
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);
    public bool IsLora => Info?.Lora is not null;
    public string Stage => Info?.Stage ?? "unknown";
    public long? Step => Info?.Step;
    public long? Parameters => Info is null ? null : Info.Parameters > 0 ? Info.Parameters : Info.Config.ParameterCount;
    public DateTimeOffset Created => Info?.CreatedUtc ?? ModifiedUtc;
}
