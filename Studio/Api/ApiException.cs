namespace MiniMind.Studio.Api;

/// <summary>A request the API refuses, answered with <see cref="StatusCode"/> and an OpenAI-shaped error body.</summary>
public sealed class ApiException(int statusCode, string message, string? param = null, string? code = null,
    string type = "invalid_request_error") : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string? Param { get; } = param;
    public string? Code { get; } = code;
    public string Type { get; } = type;

    public static ApiException BadRequest(string message, string? param = null, string? code = null) => new(400, message, param, code);
}
