using MiniMind.Engine.Runtime;
using MiniMind.Engine.Training;
using MiniMind.Studio.Api;
using MiniMind.Studio.Components;
using MiniMind.Studio.Hubs;
using MiniMind.Studio.Services;
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
        builder.Services.AddStudioServices(builder.Configuration, runtimeOverride, root);
        var app = builder.Build();

        var runtime = app.Services.GetRequiredService<RuntimeInfo>();
        app.Logger.LogInformation("MiniMind Studio engine: {Runtime}", runtime);
        foreach (var orphan in RunDirectory.RemoveOrphans(app.Services.GetRequiredService<StudioPaths>().OutDir))
            app.Logger.LogWarning("Removed {Path}: the unfinished temporary file of a write that a kill interrupted.", orphan);

        app.Services.GetRequiredService<StudioAccess>().AnnounceWhenStarted(app);
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseMiddleware<AccessKeyGuard>(); // before anything is served: another machine sees nothing without the access key
        // an unknown page address gets the studio's not-found page (the API and the hub keep their own answers)
        app.UseWhen(http => !http.Request.Path.StartsWithSegments("/v1") && !http.Request.Path.StartsWithSegments("/hubs"),
            branch => branch.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseMiddleware<SameOriginGuard>(); // before the circuit and the hub: no other site may drive the studio
        // the repository's wwwroot (app.css, favicon.svg) is not the project's, so not in the static assets' build manifest:
        // served as plain files (through the manifest they were served too, with a warning per request)
        app.UseStaticFiles();
        app.UseRouting(); // after the re-execution, so that /not-found is routed when a 404 runs the pipeline again
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapHub<TrainingHub>(TrainingHub.Path);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapOpenAiApi();
        app.MapRunFiles();
        return app;
    }

    static IServiceCollection AddStudioServices(this IServiceCollection services, IConfiguration configuration, RuntimeOptions? runtimeOverride, string root)
    {
        services.AddRazorComponents().AddInteractiveServerComponents(o => o.DetailedErrors = configuration.GetValue<bool>("DetailedErrors"))
            .AddHubOptions(o => o.MaximumReceiveMessageSize = 4 * 1024 * 1024);
        services.AddSignalR();
        // notifications at the bottom: at the top right they covered the live run's Stop button
        services.AddMudServices(config => config.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
        var studio = StudioOptions.From(configuration);
        services.AddSingleton(studio);
        services.AddSingleton<StudioAccess>();
        services.AddSingleton(_ => new StudioPaths(root, studio));
        services.AddSingleton<RunRegistry>();
        services.AddSingleton<ConversationStore>();
        services.AddSingleton<TrainingNotifications>();
        services.AddSingleton(sp => new RunManager(sp.GetRequiredService<RuntimeInfo>()));
        services.AddSingleton<TrainingService>();
        services.AddSingleton<DemoPipeline>();
        services.AddSingleton<CheckpointCatalog>();
        services.AddSingleton<DatasetCatalog>();
        services.AddSingleton<DatasetService>();
        services.AddSingleton<TokenizerCache>();
        services.AddSingleton<TokenizerTraining>();
        services.AddSingleton<EvaluationService>();
        services.AddSingleton<EngineChatBackend>();
        services.AddHostedService<TrainingHubBroadcaster>();
        var runtimeOptions = runtimeOverride ?? EngineOptions.From(configuration).ToRuntimeOptions();
        services.AddSingleton(_ => TorchRuntime.Initialize(runtimeOptions));
        services.AddOpenAiApi(configuration);
        return services;
    }
}
