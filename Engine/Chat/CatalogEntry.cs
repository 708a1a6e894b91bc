using MiniMind.Engine.Checkpoints;

namespace MiniMind.Engine.Chat;

/// <summary>
/// A servable model under the catalog's folder: a checkpoint, or a LoRA adapter together with the base
/// checkpoint its sidecar names. <see cref="Id"/> is the path below the folder without <c>.safetensors</c>
/// ('/'-separated), e.g. <c>full_sft_512</c> or <c>runs/abc/lora_identity_512</c>.
/// </summary>
public sealed record CatalogEntry(string Id, string WeightsPath, string? AdapterPath, CheckpointInfo Info, DateTimeOffset Modified)
{
    public bool IsAdapter => AdapterPath is not null;
}
