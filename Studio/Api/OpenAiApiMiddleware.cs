using System.Security.Cryptography;
using System.Text;
using MiniMind.Engine.Chat;

namespace MiniMind.Studio.Api;

/// <summary>
/// In front of every /v1 request: the optional API key, and errors turned into OpenAI-shaped bodies
/// (a client's mistake is a 4xx with its field named; a client that went away is simply dropped).
/// </summary>
public sealed class OpenAiApiMiddleware(RequestDelegate next, ApiOptions options, ILogger<OpenAiApiMiddleware> logger)
{
    readonly byte[]? key = string.IsNullOrEmpty(options.ApiKey) ? null : Encoding.UTF8.GetBytes(options.ApiKey);

    public async Task InvokeAsync(HttpContext http)
    {
        if (key is not null && !Authorized(http.Request))
        {
            await OpenAiError.WriteAsync(http.Response, new ApiException(401,
                "Incorrect or missing API key: send it as 'Authorization: Bearer <key>' (the key is Api:ApiKey in appsettings.json).",
                code: "invalid_api_key"));
            return;
        }
        try
        {
            await next(http);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // the client disconnected: its generation is cancelled, and there is no one to answer
        }
        catch (Exception e) when (Translate(e) is { } error)
        {
            if (error.StatusCode >= 500) logger.LogError(e, "Chat API request failed");
            if (http.Response.HasStarted)
            {
                // a stream already under way: say so in-band, as OpenAI does, and end it
                await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes("data: "));
                await http.Response.Body.WriteAsync(OpenAiError.Serialize(error.Message, error.Type, error.Param, error.Code));
                await http.Response.Body.WriteAsync("\n\n"u8.ToArray());
                return;
            }
            await OpenAiError.WriteAsync(http.Response, error);
        }
    }

    bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)) return false;
        var given = Encoding.UTF8.GetBytes(header[bearer.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, key);
    }

    static ApiException? Translate(Exception e) => e switch
    {
        ApiException api => api,
        ChatRequestException chat => ApiException.BadRequest(chat.Message, chat.Parameter, chat.Code),
        BadHttpRequestException bad => new ApiException(bad.StatusCode, bad.Message),
        KeyNotFoundException missing => new ApiException(404, missing.Message, "model", "model_not_found"),
        _ => new ApiException(500, $"The server failed to answer: {e.Message}", type: "server_error"),
    };
}
