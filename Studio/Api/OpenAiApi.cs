using MiniMind.Engine.Chat;
using MiniMind.Engine.Runtime;

namespace MiniMind.Studio.Api;

/// <summary>Registers the OpenAI-compatible API: its services (the model catalog, shared with the studio's pages) and its /v1 endpoints.</summary>
public static class OpenAiApi
{
    /// <summary>
    /// Adds <see cref="ApiOptions"/> and a singleton <see cref="ModelCatalog"/> over <c>Studio:OutDir</c>
    /// (default <c>out</c> under the content root) on the engine's device.
    /// </summary>
    public static IServiceCollection AddOpenAiApi(this IServiceCollection services, IConfiguration configuration)
    {
        var options = ApiOptions.From(configuration);
        services.AddSingleton(options);
        services.AddSingleton(provider =>
        {
            var environment = provider.GetRequiredService<IHostEnvironment>();
            var outDir = configuration["Studio:OutDir"] is { Length: > 0 } configured ? configured : "out";
            return new ModelCatalog(new ModelCatalogOptions
            {
                OutDir = Path.GetFullPath(outDir, environment.ContentRootPath),
                Capacity = options.ModelCacheSize,
                Load = new ChatModelOptions
                {
                    Device = provider.GetRequiredService<RuntimeInfo>().Device,
                    Root = environment.ContentRootPath,
                    TokenizerPath = string.IsNullOrWhiteSpace(options.TokenizerPath) ? null : Path.GetFullPath(options.TokenizerPath, environment.ContentRootPath),
                },
            });
        });
        return services;
    }

    /// <summary>Maps <c>POST /v1/chat/completions</c>, <c>GET /v1/models</c>, <c>GET /v1/models/{id}</c>, behind the key check and error translation.</summary>
    public static WebApplication MapOpenAiApi(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/v1"), branch => branch.UseMiddleware<OpenAiApiMiddleware>());
        var v1 = app.MapGroup("/v1").DisableAntiforgery();
        v1.MapPost("/chat/completions", ChatCompletionsEndpoint.Handle);
        v1.MapGet("/models", ModelsEndpoint.List);
        v1.MapGet("/models/{**id}", ModelsEndpoint.Get);
        // anything else under /v1 answers like OpenAI does, not with an empty 404; a known URL with another method is a 405
        v1.Map("/{**rest}", (HttpContext http) =>
        {
            if (AllowedMethod(http.Request.Path) is { } allowed)
            {
                http.Response.Headers.Allow = allowed;
                throw new ApiException(405, $"{http.Request.Method} is not allowed on {http.Request.Path}; use {allowed}.", code: "method_not_allowed");
            }
            throw new ApiException(404, $"Unknown request URL: {http.Request.Method} {http.Request.Path}.", code: "unknown_url");
        });
        return app;
    }

    /// <summary>The one method a /v1 URL answers (see <see cref="MapOpenAiApi"/>), or null for a URL it does not have.</summary>
    static string? AllowedMethod(PathString path) =>
        path.Equals("/v1/chat/completions", StringComparison.OrdinalIgnoreCase) ? HttpMethods.Post
        : path.StartsWithSegments("/v1/models", StringComparison.OrdinalIgnoreCase) ? HttpMethods.Get
        : null;
}
