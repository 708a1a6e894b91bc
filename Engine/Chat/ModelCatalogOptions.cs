namespace MiniMind.Engine.Chat;

/// <summary>Where the catalog finds models and how many it keeps loaded.</summary>
public sealed record ModelCatalogOptions
{
    /// <summary>The folder searched (recursively) for checkpoints and adapters: the studio's <c>out/</c>.</summary>
    public required string OutDir { get; init; }
    /// <summary>Models kept loaded at once; the least recently used is evicted (and disposed) beyond it.</summary>
    public int Capacity { get; init; } = 2;
    /// <summary>How each model is loaded (device, tokenizer override, compute dtype).</summary>
    public ChatModelOptions Load { get; init; } = new();
}
