using System.Text.Json;
using MiniMind.Engine.Data.Demo;

namespace MiniMind.Engine.Chat.Tools;

/// <summary>
/// <c>get_person(name)</c>: the facts of a person of the demo world (town, job, pet, favourite food), by English or
/// Chinese name, full or first (<see cref="BuiltInTools.PersonResult"/>); someone who is not in it is an error the model reads.
/// </summary>
public sealed class DemoPeopleTool : IChatTool
{
    public string Name => BuiltInTools.PersonName;
    public string Description => BuiltInTools.PersonDescription;
    public string Parameters => BuiltInTools.PersonParameters;

    public Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        var name = ToolJson.RequiredString(arguments, "name").Trim();
        return Task.FromResult(BuiltInTools.PersonResult(name) ?? throw new ToolException($"nobody called \"{name}\" lives in the demo world"));
    }
}
