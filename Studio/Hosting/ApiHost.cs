using MiniMind.Engine.Runtime;
using MiniMind.Studio.Api;

namespace MiniMind.Studio.Hosting;

/// <summary>The API without the studio's pages (the <c>serve</c> verb): the same endpoints, configuration and content root.</summary>
public static class ApiHost
{
    public static WebApplication Build(string[] args, RuntimeOptions runtime, string? urls)
    {
        var root = ContentRoot.Find();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = root });
        // loopback unless told otherwise: the API key is optional, so the default must not face the network
        builder.WebHost.UseUrls(urls ?? ApiOptions.From(builder.Configuration).Urls);
        builder.Services.AddSingleton(_ => TorchRuntime.Initialize(runtime));
        builder.Services.AddOpenAiApi(builder.Configuration);
        builder.Services.AddSingleton<StudioAccess>();
        var app = builder.Build();
        app.Logger.LogInformation("MiniMind Studio API: {Runtime}", app.Services.GetRequiredService<RuntimeInfo>());
        app.Services.GetRequiredService<StudioAccess>().AnnounceWhenStarted(app);
        app.UseMiddleware<AccessKeyGuard>(); // beyond loopback without Api:ApiKey, /v1 asks for the access key
        app.MapOpenAiApi();
        return app;
    }
}
