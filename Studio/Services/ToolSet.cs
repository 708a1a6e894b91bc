using System.Text.Json.Serialization;
using MiniMind.Engine.Chat.Tools;

namespace MiniMind.Studio.Services;

/// <summary>A tool a person declares on a page: the model sees its name, description and parameters, and the person types its result.</summary>
public sealed record DeclaredTool(string Name, string Description, string Parameters);

/// <summary>
/// The tools a chat offers (the built-in calculator and demo-world lookup, and declared ones) and how many rounds of calls an
/// answer may make before the page stops it (a model that calls tools forever ends there).
/// </summary>
public sealed record ToolSet
{
    public bool Calculator { get; init; }
    public bool People { get; init; }
    public IReadOnlyList<DeclaredTool> Declared { get; init; } = [];
    public int MaxRounds { get; init; } = 4;

    [JsonIgnore] public bool Any => Calculator || People || Declared.Count > 0;

    /// <summary>The tools that run in the studio.</summary>
    [JsonIgnore] public IReadOnlyList<IChatTool> BuiltIn => [.. Calculator ? [new CalculatorTool()] : Array.Empty<IChatTool>(), .. People ? [new DemoPeopleTool()] : Array.Empty<IChatTool>()];

    [JsonIgnore] public IReadOnlyList<string> Names => [.. BuiltIn.Select(t => t.Name), .. Declared.Select(d => d.Name)];

    /// <summary>The offered tools as the template's JSON (null when none).</summary>
    [JsonIgnore] public string? Json => Any ? ToolJson.Of([.. BuiltIn, .. Declared.Select(d => new Declaration(d))]) : null;

    /// <summary>A declared tool as the template shows it (it never runs: its result is typed).</summary>
    sealed class Declaration(DeclaredTool tool) : IChatTool
    {
        public string Name => tool.Name;
        public string Description => tool.Description;
        public string Parameters => tool.Parameters;
        public Task<string> InvokeAsync(System.Text.Json.JsonElement arguments, CancellationToken cancellationToken) => throw new InvalidOperationException("a declared tool's result is typed on the page");
    }
}
