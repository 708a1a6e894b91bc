using System.Text.Json.Serialization;

namespace MiniMind.Engine.Model;

/// <summary>How a LoRA adapter was attached.</summary>
public sealed record LoraSettings(
    [property: JsonPropertyName("rank")] int Rank,
    [property: JsonPropertyName("alpha")] double Alpha,
    [property: JsonPropertyName("targets")] string Targets);
