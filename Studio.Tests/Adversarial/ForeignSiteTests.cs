using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MiniMind.Studio.Tests.Adversarial;

/// <summary>
/// What another web page can make the user's browser send to the studio: live connections from other origins (403),
/// requests naming another host, as DNS rebinding does (400), and API posts a cross-site form can send without asking
/// first (415). The studio's own origin is accepted, so the refusals are not an accident of the test.
/// </summary>
public sealed class ForeignSiteTests : IClassFixture<WebApplicationFactory<Program>>
{
    readonly WebApplicationFactory<Program> factory;

    public ForeignSiteTests(WebApplicationFactory<Program> factory)
    {
        Environment.SetEnvironmentVariable("MINIMIND_ROOT", Repo.Root);
        this.factory = factory.WithWebHostBuilder(b => b.UseSetting("Engine:Device", "cpu"));
    }

    static readonly string[] ForeignOrigins =
    [
        "http://evil.example", "https://evil.example", "http://localhost.evil.example", "http://127.0.0.1.nip.io", "http://localhost:1",
        "https://localhost", "null", "file://", "http://[::1]:9", "chrome-extension://abcdef",
    ];

    static readonly string[] LiveConnections = ["/_blazor/negotiate?negotiateVersion=1", "/hubs/training/negotiate?negotiateVersion=1"];

    static readonly string[] ForeignHosts = ["evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "attacker:5080", "10.0.0.1"];

    static readonly string[] FormContentTypes = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"];

    [Fact]
    public async Task ForeignOriginsHostsAndForms_AreRefused_TheStudiosOwnPass()
    {
        var client = factory.CreateClient();
        var own = client.BaseAddress!.GetLeftPart(UriPartial.Authority);
        var failures = new List<string>();
        int tried = 0, survived = 0;
        async Task Expect(HttpRequestMessage request, HttpStatusCode expected, string what)
        {
            tried++;
            using (request)
            using (var response = await client.SendAsync(request))
            {
                if (response.StatusCode == expected) survived++;
                else failures.Add($"{what}: {(int)response.StatusCode}, expected {(int)expected}");
            }
        }

        foreach (var path in LiveConnections)
        {
            foreach (var origin in ForeignOrigins)
                await Expect(new(HttpMethod.Post, path) { Headers = { { "Origin", origin } } }, HttpStatusCode.Forbidden, $"{path} from {origin}");
            await Expect(new(HttpMethod.Post, path) { Headers = { { "Origin", own } } }, HttpStatusCode.OK, $"{path} from the studio itself");
        }
        foreach (var host in ForeignHosts)
            foreach (var path in new[] { "/", "/train", "/v1/models", "/hubs/training/negotiate?negotiateVersion=1" })
                await Expect(new(path.StartsWith("/hubs") ? HttpMethod.Post : HttpMethod.Get, path) { Headers = { Host = host } }, HttpStatusCode.BadRequest, $"{path} for host {host}");
        await Expect(new(HttpMethod.Get, "/v1/models"), HttpStatusCode.OK, "the API from this machine");
        foreach (var type in FormContentTypes)
            await Expect(new(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"x","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, type.Split(';')[0]),
                Headers = { { "Origin", "http://evil.example" } },
            }, HttpStatusCode.UnsupportedMediaType, $"a cross-site {type} post");

        AdversarialReport.WriteAndAssert(new("foreign-sites", tried, survived, 0, failures,
            new Dictionary<string, double> { ["foreign_origins"] = ForeignOrigins.Length, ["foreign_hosts"] = ForeignHosts.Length }));
    }
}
