using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Studio.Hosting;

namespace MiniMind.Studio.Tests.Hosting;

/// <summary>
/// Requests from another machine need the studio's access key (pages, static files, the circuit, the hub, /v1);
/// requests from this machine do not. The remote address is set by a startup filter, as a LAN client's would be.
/// </summary>
public sealed class AccessKeyTests : IClassFixture<WebApplicationFactory<Program>>
{
    const string Key = "correct-horse-battery";
    readonly WebApplicationFactory<Program> remote;

    public AccessKeyTests(WebApplicationFactory<Program> factory)
    {
        Environment.SetEnvironmentVariable("MINIMIND_ROOT", Repo.Root);
        remote = factory.WithWebHostBuilder(b => b
            .UseSetting("Engine:Device", "cpu")
            .UseSetting("Studio:AccessKey", Key)
            .ConfigureServices(s => s.AddSingleton<IStartupFilter>(new FromTheNetwork())));
    }

    /// <summary>Makes every request look as if it came from 192.168.1.20.</summary>
    sealed class FromTheNetwork : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, then) => { http.Connection.RemoteIpAddress = IPAddress.Parse("192.168.1.20"); return then(http); });
            next(app);
        };
    }

    HttpClient Client() => remote.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    [Theory]
    [InlineData("/")]
    [InlineData("/datasets")]
    [InlineData("/_framework/blazor.web.js")]
    [InlineData("/favicon.svg")]
    [InlineData("/nonexistent")]
    public async Task APageFromAnotherMachine_WithoutTheKey_Is401_AndSaysWhatToDo(string path)
    {
        using var response = await Client().GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("access key", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/_blazor/negotiate?negotiateVersion=1")]
    [InlineData("/hubs/training/negotiate?negotiateVersion=1")]
    public async Task TheCircuitAndTheHub_FromAnotherMachine_NeedTheKey_ByCookieOrBearer(string path)
    {
        var client = Client();
        HttpRequestMessage Negotiate(string? cookie = null, string? bearer = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path);
            if (cookie is not null) request.Headers.Add("Cookie", $"{AccessKeyGuard.CookieName}={cookie}");
            if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer);
            return request;
        }

        using var none = await client.SendAsync(Negotiate());
        using var wrong = await client.SendAsync(Negotiate(cookie: "guess"));
        using var cookie = await client.SendAsync(Negotiate(cookie: Key));
        using var bearer = await client.SendAsync(Negotiate(bearer: Key));

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cookie.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
    }

    [Fact]
    public async Task TheKeyInTheAddress_SetsAStrictHttpOnlyCookie_AndRedirectsToTheAddressWithoutIt()
    {
        var client = Client();

        using var wrong = await client.GetAsync($"/chat?key=nope&left=a");
        using var right = await client.GetAsync($"/chat?key={Key}&left=a");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/chat?left=a", right.Headers.Location!.OriginalString);
        var cookie = Assert.Single(right.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{AccessKeyGuard.CookieName}={Key};", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        using var page = new HttpRequestMessage(HttpMethod.Get, "/chat?left=a") { Headers = { { "Cookie", $"{AccessKeyGuard.CookieName}={Key}" } } };
        using var followed = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        Assert.Contains("MiniMind Studio", await followed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheRedirectAfterTheKey_StaysOnTheStudio()
    {
        var client = Client();
        // a path that begins with two slashes, on the studio's own host
        using var response = await client.GetAsync(new Uri($"{client.BaseAddress!.GetLeftPart(UriPartial.Authority)}//evil.example/x?key={Key}"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task TheApi_FromAnotherMachine_WithoutAnApiKeySet_AsksForTheAccessKey_InOpenAisShape()
    {
        var client = Client();

        using var refused = await client.GetAsync("/v1/models");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { Authorization = new("Bearer", Key) } };
        using var allowed = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task FromThisMachine_NoKeyIsAsked()
    {
        using var local = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Engine:Device", "cpu").UseSetting("Studio:AccessKey", Key));

        using var response = await local.CreateClient().GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", false)]
    [InlineData("http://localhost:5080", false)]
    [InlineData("http://[::1]:5080", false)]
    [InlineData("http://0.0.0.0:5080", true)]
    [InlineData("http://[::]:5080", true)]
    [InlineData("http://+:5080", true)]
    [InlineData("http://*:5080", true)]
    [InlineData("http://192.168.1.5:5080", true)]
    [InlineData("https://studio.lan:5443", true)]
    public void AnAddressBeyondLoopback_IsRecognised(string address, bool beyond)
    {
        var server = new AddressesOnly(address);

        Assert.Equal(beyond, StudioAccess.BeyondLoopback(server).Count == 1);
    }

    sealed class AddressesOnly : IServer
    {
        public AddressesOnly(string address)
        {
            var addresses = new ServerAddressesFeature();
            addresses.Addresses.Add(address);
            Features.Set<IServerAddressesFeature>(addresses);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();
        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public void Dispose() { }
    }

    [Fact]
    public void WithoutAConfiguredKey_OneIsDrawnPerStart()
    {
        var empty = new ConfigurationBuilder().Build();

        var first = new StudioAccess(empty);
        var second = new StudioAccess(empty);

        Assert.True(first.Generated);
        Assert.True(first.Key.Length >= 32);
        Assert.NotEqual(first.Key, second.Key);
        Assert.True(first.Matches(first.Key));
        Assert.False(first.Matches(second.Key));
        Assert.False(first.Matches(""));
    }
}
