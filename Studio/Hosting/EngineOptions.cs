using Microsoft.Extensions.Configuration;
using MiniMind.Engine.Runtime;

namespace MiniMind.Studio.Hosting;

/// <summary>The "Engine" section of appsettings.json (device, external libtorch, threads).</summary>
public sealed class EngineOptions
{
    public string Device { get; set; } = "auto";
    public string? LibTorchPath { get; set; }
    public int? Threads { get; set; }

    public static EngineOptions From(IConfiguration configuration) =>
        configuration.GetSection("Engine").Get<EngineOptions>() ?? new EngineOptions();

    public RuntimeOptions ToRuntimeOptions() =>
        new(Device, string.IsNullOrWhiteSpace(LibTorchPath) ? null : LibTorchPath, Threads);
}
