using System.Globalization;
using System.Text.Json;

namespace MiniMind.Engine.Data.Demo;

/// <summary>
/// What the studio's two built-in tools are to a model: their names, descriptions and parameters, and the results they
/// give (a sum's <c>{"result": N}</c>, a person's facts). The tools that run them are in <c>Chat/Tools</c>; the demo's tool
/// data is written from these, so what it teaches is what the tools answer.
/// </summary>
public static class BuiltInTools
{
    public const string CalculateName = "calculate";
    public const string CalculateDescription = "Evaluate an arithmetic expression (+ - * / % ^ and parentheses), e.g. \"1234 + 5678\".";
    public const string CalculateParameters = """{"type": "object", "properties": {"expression": {"type": "string", "description": "the arithmetic expression"}}, "required": ["expression"]}""";

    public const string PersonName = "get_person";
    public const string PersonDescription = "Look up a person of the demo world by name: their town, job, pet and favourite food.";
    public const string PersonParameters = """{"type": "object", "properties": {"name": {"type": "string", "description": "the person's name, e.g. Alice Brant"}}, "required": ["name"]}""";

    static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The calculator's result for a value.</summary>
    public static string CalculateResult(double value) =>
        $"{{\"result\": {(value == Math.Floor(value) && Math.Abs(value) < 1e15 ? ((long)value).ToString(CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture))}}}";

    /// <summary>The person lookup's result for a name (full or first, English or Chinese), or null for someone not in the world.</summary>
    public static string? PersonResult(string name)
    {
        if (FindPerson(name) is not { } person) return null;
        var facts = new Dictionary<string, string>
        {
            ["name"] = person.Name.En, ["name_zh"] = person.Name.Zh, ["town"] = person.Town.Name.En, ["town_zh"] = person.Town.Name.Zh,
            ["job"] = person.Job.En, ["job_zh"] = person.Job.Zh, ["pet"] = person.Pet.En, ["pet_zh"] = person.Pet.Zh,
            ["food"] = person.Food.En, ["food_zh"] = person.Food.Zh,
        };
        return JsonSerializer.Serialize(facts, Relaxed);
    }

    /// <summary>Whether two names are the same person of the world (both found).</summary>
    public static bool SamePerson(string a, string b) => FindPerson(a) is { } p && p == FindPerson(b);

    /// <summary>The person with this full name, or the one person with this first name (either language), or null.</summary>
    internal static DemoWorld.Person? FindPerson(string name)
    {
        name = name.Trim();
        var full = DemoWorld.People.FirstOrDefault(p => string.Equals(p.Name.En, name, StringComparison.OrdinalIgnoreCase) || p.Name.Zh == name);
        if (full is not null) return full;
        var first = DemoWorld.People.Where(p => string.Equals(p.Name.En.Split(' ')[0], name, StringComparison.OrdinalIgnoreCase)).ToList();
        return first.Count == 1 ? first[0] : null;
    }

    /// <summary>Both tools as a request's (and the chat template's) <c>tools</c> JSON.</summary>
    public static string Json =>
        "[" + Tool(CalculateName, CalculateDescription, CalculateParameters) + ", " + Tool(PersonName, PersonDescription, PersonParameters) + "]";

    static string Tool(string name, string description, string parameters) =>
        "{\"type\": \"function\", \"function\": {\"name\": \"" + name + "\", \"description\": " + JsonSerializer.Serialize(description, Relaxed) + ", \"parameters\": " + parameters + "}}";
}
