using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Runtime;

/// <summary>How the engine should start libtorch.</summary>
/// <param name="Device">auto (CUDA when available), cpu, cuda or cuda:N.</param>
/// <param name="LibTorchPath">
/// Optional folder of an existing libtorch, such as a PyTorch installation's <c>torch/lib</c>:
/// the way to get CUDA without the CUDA NuGet package.
/// </param>
/// <param name="Threads">CPU threads for libtorch, fixed for every job; null lets each job choose (<see cref="CpuThreads"/>).</param>
public sealed record RuntimeOptions(string Device = "auto", string? LibTorchPath = null, int? Threads = null);

/// <summary>What the runtime resolved: one line for the log.</summary>
public sealed record RuntimeInfo(string TorchSharpVersion, string LibTorchVersion, string LibTorchSource, Device Device, int CpuThreads)
{
    /// <summary>The file libtorch_cpu was actually loaded from (Linux: read from /proc/self/maps), or null when unknown.</summary>
    public string? LoadedLibTorch { get; } = File.Exists("/proc/self/maps")
        ? File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].EndsWith("/libtorch_cpu.so", StringComparison.Ordinal)).Select(f => f[5]).FirstOrDefault()
        : null;

    public override string ToString() =>
        $"TorchSharp {TorchSharpVersion}, libtorch {LibTorchVersion} ({LibTorchSource}), device {Device}, " +
        (Runtime.CpuThreads.Fixed is int n ? $"{n} CPU threads (fixed)" : "CPU threads chosen per job");
}

/// <summary>
/// Starts TorchSharp once per process: optionally binds it to an external libtorch, picks the
/// device, sets threads. Everything that touches tensors calls <see cref="Initialize"/> first.
/// </summary>
public static class TorchRuntime
{
    static readonly Lock Gate = new();
    static string? externalLibTorch;
    static RuntimeInfo? current;

    /// <summary>The environment variable naming an external libtorch folder.</summary>
    public const string LibTorchEnvironmentVariable = "MINIMIND_LIBTORCH";

    public static RuntimeInfo Initialize(RuntimeOptions options)
    {
        lock (Gate)
        {
            var libtorch = options.LibTorchPath ?? NullIfEmpty(Environment.GetEnvironmentVariable(LibTorchEnvironmentVariable));
            if (libtorch is not null) BindExternalLibTorch(libtorch);
            if (options.Threads is <= 0) throw new ArgumentException($"CPU threads must be positive; got {options.Threads}.");
            MallocTuning.Apply(); // before the first tensor
            Device device;
            try
            {
                // the first calls into libtorch: a missing one fails here, with the message below
                if (options.Threads is int n) set_num_threads(n);
                CpuThreads.Fix(options.Threads);
                device = ResolveDevice(options.Device);
            }
            catch (TypeInitializationException e) when (libtorch is null)
            {
                throw new InvalidOperationException(
                    "libtorch could not be loaded. A build made with -p:TorchBackend=external bundles none: give one with --libtorch, " +
                    $"{LibTorchEnvironmentVariable} or Engine:LibTorchPath (a PyTorch installation's torch/lib folder). ({e.InnerException?.Message.Split('\n')[0]})", e);
            }
            current = new RuntimeInfo(
                typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
                    ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?",
                __version__,
                externalLibTorch ?? "bundled",
                device,
                get_num_threads());
            return current;
        }
    }

    /// <summary>The last initialised runtime (initialises with defaults when none was).</summary>
    public static RuntimeInfo Current => current ?? Initialize(new RuntimeOptions());

    /// <summary>auto | cpu | cuda | cuda:N -> a device, or an error that says why it cannot be had.</summary>
    public static Device ResolveDevice(string spec)
    {
        var s = (spec ?? "auto").Trim().ToLowerInvariant();
        if (s == "auto") return cuda.is_available() ? CUDA : CPU;
        if (s == "cpu") return CPU;
        if (s == "cuda" || s.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (s.Length > 4 && (!int.TryParse(s.AsSpan(5), out index) || index < 0))
                throw new ArgumentException($"Invalid device \"{spec}\": expected cuda:N with N a GPU index.");
            if (!cuda.is_available())
                throw new ArgumentException(
                    $"Device \"{spec}\" was requested but CUDA is not available: this build uses the CPU libtorch. " +
                    "Build with -p:TorchBackend=cuda, or point --libtorch (or MINIMIND_LIBTORCH) at a PyTorch CUDA installation's torch/lib folder.");
            int count = cuda.device_count();
            if (index >= count)
                throw new ArgumentException($"Device \"{spec}\" does not exist: {count} CUDA device(s) are visible (cuda:0 .. cuda:{count - 1}).");
            return new Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"Unknown device \"{spec}\": use auto, cpu, cuda or cuda:N.");
    }

    /// <summary>
    /// Makes TorchSharp use the libtorch in <paramref name="dir"/>. The libraries are loaded first by full
    /// path, in dependency order; the dynamic loader then satisfies libLibTorchSharp's dependencies (by
    /// soname) with these already-loaded copies, and TorchSharp's own lookups of torch_cpu / torch_cuda /
    /// LibTorchSharp are answered by a resolver, so the bundled CPU libtorch is never loaded beside them.
    /// Must run before the first tensor operation.
    /// </summary>
    static void BindExternalLibTorch(string dir)
    {
        if (externalLibTorch is not null)
        {
            if (Path.GetFullPath(dir) != externalLibTorch)
                throw new InvalidOperationException($"libtorch is already bound to {externalLibTorch}; restart to use {dir}.");
            return;
        }
        var full = Path.GetFullPath(dir);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"The libtorch folder {full} does not exist (from --libtorch / {LibTorchEnvironmentVariable} / Engine:LibTorchPath).");
        var bundled = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cpu.so");
        if (File.Exists(bundled))
            throw new InvalidOperationException(
                $"This build bundles the CPU libtorch ({bundled}), which cannot be swapped for {full} at run time. " +
                "Build without it to use an external libtorch: dotnet run --project Studio -p:TorchBackend=external -- --libtorch <torch/lib>.");

        if (!File.Exists(Path.Combine(full, "libtorch_cpu.so")))
            throw new ArgumentException($"{full} is not a libtorch folder: it has no libtorch_cpu.so (expected a PyTorch installation's torch/lib).");

        var handles = new Dictionary<string, IntPtr>();
        foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so" })
        {
            var path = Path.Combine(full, name);
            if (File.Exists(path)) handles[name] = NativeLibrary.Load(path);
        }
        var bridge = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(bridge))
            throw new FileNotFoundException($"TorchSharp's native bridge is missing from the application folder: {bridge}", bridge);
        var bridgeHandle = NativeLibrary.Load(bridge);
        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) => name switch
        {
            "LibTorchSharp" => bridgeHandle,
            "torch_cpu" => handles["libtorch_cpu.so"],
            "torch_cuda" => handles.GetValueOrDefault("libtorch_cuda.so"),
            _ => IntPtr.Zero,
        });
        externalLibTorch = full;
    }

    static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
