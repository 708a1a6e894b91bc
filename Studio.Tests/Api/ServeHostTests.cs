using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Runtime;
using MiniMind.Studio.Api;
using MiniMind.Studio.Hosting;

namespace MiniMind.Studio.Tests.Api;

/// <summary>The serve verb's host: the API alone, on loopback.</summary>
public sealed class ServeHostTests
{
    [Fact]
    public async Task ServeHost_ServesTheApi_WithoutTheStudioPages()
    {
        Environment.SetEnvironmentVariable("MINIMIND_ROOT", Repo.Root);
        var outDir = Directory.CreateTempSubdirectory("minimind-serve-").FullName;
        try
        {
            await using var app = ApiHost.Build([$"--Studio:OutDir={outDir}"], new RuntimeOptions("cpu"), "http://127.0.0.1:0");
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var http = new HttpClient { BaseAddress = address };

            var models = JsonDocument.Parse(await http.GetStringAsync("/v1/models")).RootElement;
            var page = await http.GetAsync("/");

            Assert.Equal("127.0.0.1", address.Host);
            Assert.Equal("list", models.GetProperty("object").GetString());
            Assert.Equal(0, models.GetProperty("data").GetArrayLength());
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            await app.StopAsync();
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }
}
