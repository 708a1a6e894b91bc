using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Studio.Tests.Services;

namespace MiniMind.Studio.Tests.Hubs;

/// <summary>The real studio on Kestrel at a loopback port, with the repository's data and a temporary out/ folder.</summary>
public class StudioServer : IDisposable
{
    readonly WebApplicationFactory<Program> factory;
    readonly StudioFolders folders = new();

    public StudioServer() : this([]) { }

    /// <param name="settings">Configuration keys beside the test defaults (a derived fixture's own studio).</param>
    protected StudioServer(params (string Key, string Value)[] settings)
    {
        Environment.SetEnvironmentVariable("MINIMIND_ROOT", Repo.Root);
        factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Engine:Device", "cpu")
                .UseSetting("Studio:OutDir", folders.OutDir)
                .UseSetting("Studio:MetricsIntervalMilliseconds", "100");
            foreach (var (key, value) in settings) b.UseSetting(key, value);
        });
        factory.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::1]", "127.0.0.1"));
    }

    public Uri BaseAddress { get; }
    public string OutDir => folders.OutDir;
    public IServiceProvider Services => factory.Services;

    public virtual void Dispose()
    {
        factory.Dispose();
        folders.Dispose();
        GC.SuppressFinalize(this);
    }
}
