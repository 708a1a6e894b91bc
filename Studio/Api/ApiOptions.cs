namespace MiniMind.Studio.Api;

/// <summary>The "Api" section of appsettings.json: the OpenAI-compatible endpoints.</summary>
public sealed class ApiOptions
{
    /// <summary>When set, every /v1 request must carry <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public string? ApiKey { get; set; }
    /// <summary>Models kept loaded at once (least recently used evicted beyond it).</summary>
    public int ModelCacheSize { get; set; } = 2;
    /// <summary>A tokenizer folder used for every model instead of the one its sidecar names.</summary>
    public string? TokenizerPath { get; set; }
    /// <summary>Where <c>serve</c> listens (the studio itself listens on the top-level Urls).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8998";

    public static ApiOptions From(IConfiguration configuration) =>
        configuration.GetSection("Api").Get<ApiOptions>() ?? new ApiOptions();
}
