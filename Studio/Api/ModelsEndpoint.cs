using System.Text.Json;
using MiniMind.Engine.Chat;

namespace MiniMind.Studio.Api;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: the checkpoints and LoRA adapters under out/, in
/// OpenAI's model-list shape, with what a client needs to pick one (stage, context length, the adapter's base).
/// </summary>
public static class ModelsEndpoint
{
    public static async Task List(HttpContext http, ModelCatalog catalog)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ChatCompletionJson.Options))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var entry in catalog.List()) Write(json, entry, catalog.OutDir);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(buffer.ToArray(), http.RequestAborted);
    }

    public static async Task Get(HttpContext http, ModelCatalog catalog, string id)
    {
        var entry = catalog.Find(id) ?? throw new ApiException(404, $"The model '{id}' does not exist.", "model", "model_not_found");
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ChatCompletionJson.Options)) Write(json, entry, catalog.OutDir);
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(buffer.ToArray(), http.RequestAborted);
    }

    static void Write(Utf8JsonWriter json, CatalogEntry entry, string outDir)
    {
        json.WriteStartObject();
        json.WriteString("id", entry.Id);
        json.WriteString("object", "model");
        json.WriteNumber("created", entry.Info.CreatedUtc.ToUnixTimeSeconds());
        json.WriteString("owned_by", "minimind-studio");
        json.WriteString("stage", entry.Info.Stage);
        json.WriteNumber("step", entry.Info.Step);
        json.WriteNumber("parameters", entry.Info.Parameters);
        json.WriteNumber("context_length", entry.Info.Config.MaxSeqLen);
        if (entry.AdapterPath is not null)
            json.WriteString("base_model", Path.ChangeExtension(Path.GetRelativePath(Path.GetFullPath(outDir), entry.WeightsPath), null).Replace('\\', '/'));
        json.WriteEndObject();
    }
}
