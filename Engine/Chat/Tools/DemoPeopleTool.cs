using System.Text.Json;
using MiniMind.Engine.Data.Demo;

namespace MiniMind.Engine.Chat.Tools;

/// <summary>
/// <c>get_person(name)</c>: the facts of a person of the demo world (town, job, pet, favourite food), by English or
/// Chinese name, full or first; <c>{"error": ...}</c> for someone who is not in it.
/// </summary>
public sealed class DemoPeopleTool : IChatTool
{
    public string Name => "get_person";
    public string Description => "Look up a person of the demo world by name: their town, job, pet and favourite food.";
    public string Parameters => """{"type": "object", "properties": {"name": {"type": "string", "description": "the person's name, e.g. Alice Brant"}}, "required": ["name"]}""";

    public Task<string> InvokeAsync(JsonElement arguments, CancellationToken cancellationToken)
    {
        var name = ToolJson.RequiredString(arguments, "name").Trim();
        var person = Find(name) ?? throw new ToolException($"nobody called \"{name}\" lives in the demo world");
        var facts = new Dictionary<string, string>
        {
            ["name"] = person.Name.En, ["name_zh"] = person.Name.Zh, ["town"] = person.Town.Name.En, ["town_zh"] = person.Town.Name.Zh,
            ["job"] = person.Job.En, ["job_zh"] = person.Job.Zh, ["pet"] = person.Pet.En, ["pet_zh"] = person.Pet.Zh,
            ["food"] = person.Food.En, ["food_zh"] = person.Food.Zh,
        };
        return Task.FromResult(JsonSerializer.Serialize(facts, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    /// <summary>The person with this full name, or the one person with this first name (either language), or null.</summary>
    internal static DemoWorld.Person? Find(string name)
    {
        var full = DemoWorld.People.FirstOrDefault(p => string.Equals(p.Name.En, name, StringComparison.OrdinalIgnoreCase) || p.Name.Zh == name);
        if (full is not null) return full;
        var first = DemoWorld.People.Where(p => string.Equals(p.Name.En.Split(' ')[0], name, StringComparison.OrdinalIgnoreCase)).ToList();
        return first.Count == 1 ? first[0] : null;
    }
}
