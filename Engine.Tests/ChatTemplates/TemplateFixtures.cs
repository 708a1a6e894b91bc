using System.Text.Json;

using MiniMind.Engine.ChatTemplates;

namespace MiniMind.Engine.Tests.ChatTemplates;
/// <summary>Reads the files copied next to the test assembly from tests/TemplateFixtures.</summary>
static class TemplateFixtures
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", .. Map(parts)]);

    /// <summary>"minimind/..." is the seed tokenizer's reference fixture; the rest lives under Fixtures/templates.</summary>
    static string[] Map(string[] parts) =>
        parts[0] == "minimind" ? ["reference", "seed-tokenizer", .. parts[1..]] : ["templates", .. parts];

    public static string Text(params string[] parts) => File.ReadAllText(Path(parts));

    public static JsonElement Json(params string[] parts) => JsonDocument.Parse(Text(parts)).RootElement;

    /// <summary>JSON object properties as template variables (JsonElement values are accepted as is).</summary>
    public static Dictionary<string, object?> Variables(JsonElement json) =>
        json.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
}
