using System.Diagnostics;

namespace MiniMind.Studio.Tests.Hosting;

/// <summary>
/// The external-libtorch path (how a PyTorch installation's CUDA libtorch is used): a build without the
/// bundled libtorch (-p:TorchBackend=external), pointed with --libtorch at another libtorch folder.
/// On this CPU machine the "other" libtorch is the NuGet package's copy, loaded from its own folder.
/// </summary>
public sealed class ExternalLibTorchTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-extlib-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static (int Code, string Output) Run(string file, string args, string? cwd = null)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cwd ?? Repo.Root };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    static string NuGetLibTorch()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native");
    }

    [Fact]
    public void ExternalBuild_WithLibTorchOption_LoadsThatLibTorch()
    {
        var app = Path.Combine(dir, "app");
        var (built, log) = Run("dotnet", $"publish Studio/Studio.csproj -c Release -p:TorchBackend=external --artifacts-path \"{Path.Combine(dir, "artifacts")}\" -o \"{app}\" --nologo -v q");
        Assert.True(built == 0, log);
        Assert.False(File.Exists(Path.Combine(app, "runtimes", "linux-x64", "native", "libtorch_cpu.so")), "the external build must not bundle libtorch");
        var libtorch = NuGetLibTorch();
        Assert.True(Directory.Exists(libtorch), $"restored libtorch not found at {libtorch}");

        var (code, output) = Run("dotnet", $"\"{Path.Combine(app, "MiniMind.Studio.dll")}\" info --libtorch \"{libtorch}\"");
        Assert.True(code == 0, output);
        Assert.Contains($"libtorch loaded from: {Path.Combine(libtorch, "libtorch_cpu.so")}", output);

        var (noLib, message) = Run("dotnet", $"\"{Path.Combine(app, "MiniMind.Studio.dll")}\" info");
        Assert.Equal(1, noLib);
        Assert.Contains("give one with --libtorch", message);
    }

    [Fact]
    public async Task BundledBuild_WithLibTorchOption_SaysHowToUseAnExternalOne()
    {
        // this test process runs the bundled (cpu) build
        var error = new StringWriter();
        var code = await MiniMind.Studio.Cli.StudioCli.RunAsync(["info", "--libtorch", dir], new StringWriter(), error);

        Assert.Equal(1, code);
        Assert.Contains("-p:TorchBackend=external", error.ToString());
    }
}
