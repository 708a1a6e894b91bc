using MiniMind.Engine.Runtime;
using MiniMind.Studio.Api;
using MiniMind.Studio.Components;
using MudBlazor.Services;

namespace MiniMind.Studio.Hosting;

/// <summary>Builds the web studio: Blazor Server with MudBlazor, over the in-process engine.</summary>
public static class StudioHost
{
    public static WebApplication Build(string[] args, RuntimeOptions? runtimeOverride = null)
    {
        var root = ContentRoot.Find();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = root,
            WebRootPath = Path.Combine(root, "wwwroot"),
        });
        // _content/* and _framework/* come from static web assets; outside Development (and with the
        // repository root as content root) they would be served empty unless this is called.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddStudioServices(builder.Configuration, runtimeOverride);
        var app = builder.Build();

        var runtime = app.Services.GetRequiredService<RuntimeInfo>();
        app.Logger.LogInformation("MiniMind Studio engine: {Runtime}", runtime);

        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapOpenAiApi();
        return app;
    }

    static IServiceCollection AddStudioServices(this IServiceCollection services, IConfiguration configuration, RuntimeOptions? runtimeOverride)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        var runtimeOptions = runtimeOverride ?? EngineOptions.From(configuration).ToRuntimeOptions();
        services.AddSingleton(_ => TorchRuntime.Initialize(runtimeOptions));
        services.AddOpenAiApi(configuration);
        return services;
    }
}
