namespace MiniMind.Studio.Hosting;

/// <summary>
/// Refuses the studio's live connections (the Blazor circuit at <c>/_blazor</c> and the training hub at <c>/hubs</c>)
/// when a browser opens them from another site: any web page the user visits could otherwise open a WebSocket to the
/// studio and stop, pause or start its runs. Browsers always send <c>Origin</c> on these requests; one whose host and
/// port differ from the request's own host is answered 403. Clients that are not browsers send no Origin and pass.
/// </summary>
public sealed class SameOriginGuard(RequestDelegate next, ILogger<SameOriginGuard> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (IsLiveConnection(http.Request.Path) && http.Request.Headers.Origin is [{ } origin, ..] && !SameOrigin(origin, http.Request))
        {
            logger.LogWarning("Refused a connection to {Path} from another site ({Origin}).", http.Request.Path, origin);
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.Response.WriteAsync($"Connections to the studio from another site ({origin}) are refused.");
            return;
        }
        await next(http);
    }

    static bool IsLiveConnection(PathString path) => path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/hubs");

    /// <summary>
    /// Whether <paramref name="origin"/> (scheme://host[:port]) is the origin the request came to: the same scheme, host and
    /// port, a missing port read as the scheme's default (so https://localhost is not the origin of http://localhost).
    /// </summary>
    public static bool SameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Host.Trim('[', ']'), request.Host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
        && uri.Port == (request.Host.Port ?? (request.IsHttps ? 443 : 80));
}
