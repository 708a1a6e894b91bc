using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MiniMind.Studio.Tests.Hosting;

/// <summary>The web studio starts on its defaults and serves its page and static assets.</summary>
public sealed class StudioHostTests : IClassFixture<WebApplicationFactory<Program>>
{
    readonly WebApplicationFactory<Program> factory;

    public StudioHostTests(WebApplicationFactory<Program> factory)
    {
        Environment.SetEnvironmentVariable("MINIMIND_ROOT", Repo.Root);
        this.factory = factory.WithWebHostBuilder(b => b.UseSetting("Engine:Device", "cpu"));
    }

    [Fact]
    public async Task Home_ShowsTheEngineStatus()
    {
        var client = factory.CreateClient();

        var html = await client.GetStringAsync("/");

        Assert.Contains("MiniMind Studio", html);
        Assert.Contains("TorchSharp 0.107", html);
        Assert.Contains("device cpu", html);
    }

    [Theory]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css")]
    [InlineData("/_framework/blazor.web.js")]
    [InlineData("/app.css")]
    [InlineData("/favicon.svg")]
    public async Task StaticAssets_AreServedWithContent(string path)
    {
        var response = await factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 10, $"{path} came back empty");
    }

    [Fact]
    public async Task VisitingThePages_LogsNoStaticAssetWarnings()
    {
        var logs = new WarningLog();
        var client = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddLogging(l => l.AddProvider(logs)))).CreateClient();

        foreach (var path in new[] { "/", "/train", "/chat", "/app.css", "/favicon.svg", "/_content/MudBlazor/MudBlazor.min.css", "/_framework/blazor.web.js" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);

        Assert.DoesNotContain(logs.Warnings, w => w.Contains("static asset", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The warnings a host logs.</summary>
    sealed class WarningLog : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Warnings { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Warnings);

        public void Dispose() { }

        sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> warnings) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Warning) warnings.Enqueue(formatter(state, exception));
            }
        }
    }

    [Fact]
    public async Task AnUnknownAddress_Is404_WithTheStudiosNotFoundPage_ButTheApiKeepsItsJson()
    {
        var client = factory.CreateClient();

        var page = await client.GetAsync("/nonexistent");
        var api = await client.GetAsync("/v1/models/nonexistent");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Nothing here.", html);
        Assert.Contains("MiniMind Studio", html); // inside the layout
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.StartsWith("{", (await api.Content.ReadAsStringAsync()).TrimStart());
    }

    [Theory]
    [InlineData("/_blazor/negotiate?negotiateVersion=1")]
    [InlineData("/hubs/training/negotiate?negotiateVersion=1")]
    public async Task ALiveConnectionFromAnotherSite_IsRefused_AndFromTheStudioItselfAccepted(string path)
    {
        var client = factory.CreateClient();
        HttpRequestMessage Negotiate(string origin) => new(HttpMethod.Post, path) { Headers = { { "Origin", origin } } };

        using var foreign = await client.SendAsync(Negotiate("http://evil.example"));
        using var own = await client.SendAsync(Negotiate(client.BaseAddress!.GetLeftPart(UriPartial.Authority)));

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Contains("another site", await foreign.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task ARequestForAnotherHostName_IsRefused_AgainstDnsRebinding()
    {
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "evil.example" } };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
