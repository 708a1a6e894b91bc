using MiniMind.Studio.Api;

namespace MiniMind.Studio.Hosting;

/// <summary>
/// In front of everything the studio serves (pages, static files, the Blazor circuit, the training hub and <c>/v1</c>):
/// a request from another machine must carry the access key, so binding the studio beyond loopback (<c>--urls
/// http://0.0.0.0:5080</c>) does not hand training, datasets and checkpoints to the network. A browser brings the key
/// once as <c>?key=</c>; it is kept in an HttpOnly, SameSite=Strict cookie and the address is cleaned of it. Programs
/// send <c>Authorization: Bearer &lt;key&gt;</c>. On <c>/v1</c>, when <c>Api:ApiKey</c> is set, that key is the one
/// checked (by <see cref="OpenAiApiMiddleware"/>), for every caller as before.
/// </summary>
public sealed class AccessKeyGuard(RequestDelegate next, StudioAccess access, ApiOptions api, ILogger<AccessKeyGuard> logger)
{
    public const string CookieName = "minimind_key", QueryName = "key";

    public async Task InvokeAsync(HttpContext http)
    {
        if (StudioAccess.IsLocal(http.Connection)) { await next(http); return; }
        var request = http.Request;
        if (request.Path.StartsWithSegments("/v1"))
        {
            if (!string.IsNullOrEmpty(api.ApiKey) || access.Matches(Bearer(request))) { await next(http); return; }
            await OpenAiError.WriteAsync(http.Response, new ApiException(401,
                "This server is reached from another machine: send its access key as 'Authorization: Bearer <key>' (Studio:AccessKey, or the key the studio printed when it started).",
                code: "invalid_api_key"));
            return;
        }
        if (request.Query.TryGetValue(QueryName, out var offered))
        {
            if (access.Matches(offered.ToString()))
            {
                http.Response.Cookies.Append(CookieName, access.Key, new CookieOptions
                {
                    HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = request.IsHttps, Path = "/", IsEssential = true,
                });
                // the same address without the key, so it stays out of the address bar, the history and Referer headers
                var rest = QueryString.Create(request.Query.Where(q => q.Key != QueryName));
                var here = $"{request.PathBase}{request.Path}";
                // never "//host/...": a browser reads that as another site's address
                http.Response.Redirect($"{(here.StartsWith("//", StringComparison.Ordinal) || here.Length == 0 ? "/" : here)}{rest}");
                return;
            }
            logger.LogWarning("Refused a wrong access key from {Remote}.", http.Connection.RemoteIpAddress);
        }
        else if (access.Matches(request.Cookies[CookieName]) || access.Matches(Bearer(request)))
        {
            await next(http);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync("""
            <!DOCTYPE html><html><head><title>MiniMind Studio: access key needed</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto">
            <h1>This studio needs its access key</h1>
            <p>It is reached from another machine, so it asks for the key it printed in its log when it started
            (or <code>Studio:AccessKey</code> in its settings). Open this address with <code>?key=&lt;key&gt;</code> added once;
            the browser keeps it after that.</p></body></html>
            """);
    }

    static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
