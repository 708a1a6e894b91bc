using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace MiniMind.Studio.Hosting;

/// <summary>
/// The studio's access key: <c>Studio:AccessKey</c>, or one drawn at random when the studio starts (printed in its log
/// when it listens beyond this machine). Requests from this machine never need it; see <see cref="AccessKeyGuard"/>.
/// </summary>
public sealed class StudioAccess
{
    public StudioAccess(IConfiguration configuration)
    {
        var configured = configuration["Studio:AccessKey"];
        Generated = string.IsNullOrWhiteSpace(configured);
        Key = Generated ? WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24)) : configured!.Trim();
        keyBytes = Encoding.UTF8.GetBytes(Key);
    }

    readonly byte[] keyBytes;

    public string Key { get; }

    /// <summary>True when no key was configured, so this one lasts until the studio stops.</summary>
    public bool Generated { get; }

    public bool Matches(string? given) =>
        !string.IsNullOrEmpty(given) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), keyBytes);

    /// <summary>Whether a request came from this machine (or from inside the process, as tests' in-memory server sends them).</summary>
    public static bool IsLocal(ConnectionInfo connection) =>
        connection.RemoteIpAddress is not { } remote || IPAddress.IsLoopback(remote);

    /// <summary>The addresses the server listens on that other machines can reach (0.0.0.0, [::], a LAN address or a host name).</summary>
    public static IReadOnlyList<string> BeyondLoopback(IServer server) =>
        (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Where(address =>
        {
            var host = BindingAddress.Parse(address).Host;
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return false;
            return !IPAddress.TryParse(host.Trim('[', ']'), out var ip) || !IPAddress.IsLoopback(ip);
        }).ToList();

    /// <summary>After start: says where other machines reach the studio and the address that lets them in.</summary>
    public void AnnounceWhenStarted(WebApplication app) => app.Lifetime.ApplicationStarted.Register(() =>
    {
        foreach (var address in BeyondLoopback(app.Services.GetRequiredService<IServer>()))
        {
            var binding = BindingAddress.Parse(address);
            // a wildcard host is not an address a browser can open: name the part the user fills in
            var host = binding.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*" ? "<this machine's name or address>" : binding.Host;
            app.Logger.LogWarning(
                "Listening beyond this machine on {Address}: other machines need the access key{Origin}. Open {Url} once in their browser.",
                address, Generated ? " (drawn for this start; set Studio:AccessKey to keep one)" : " (Studio:AccessKey)",
                $"{binding.Scheme}://{host}:{binding.Port}{binding.PathBase}/?key={Key}");
        }
    });
}
