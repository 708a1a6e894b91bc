using System.ClientModel;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Models;

namespace MiniMind.Studio.Tests.Api;

/// <summary>GET /v1/models lists what out/ can serve, through the official client.</summary>
public sealed class ModelsApiTests(ApiServer server) : IClassFixture<ApiServer>
{
    [Fact]
    public async Task Models_ListsTheCheckpointsAndAdaptersUnderOut()
    {
        var client = new OpenAIModelClient(new ApiKeyCredential(ApiServer.Key), new OpenAIClientOptions { Endpoint = server.V1 });

        var models = (await client.GetModelsAsync()).Value;

        Assert.Equal(["long", "lora/tiny-identity", "mm3", "thinker", "tiny"], models.Select(m => m.Id));
        Assert.All(models, m => Assert.Equal("minimind-studio", m.OwnedBy));
    }

    [Fact]
    public async Task Model_ByIdCarriesItsContextAndAnAdaptersBase()
    {
        using var http = server.Http();

        var adapter = JsonDocument.Parse(await http.GetStringAsync("/v1/models/lora/tiny-identity")).RootElement;
        var missing = await http.GetAsync("/v1/models/nope");

        Assert.Equal("tiny", adapter.GetProperty("base_model").GetString());
        Assert.Equal(128, adapter.GetProperty("context_length").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("model_not_found", JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
