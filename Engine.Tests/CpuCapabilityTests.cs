using System.Diagnostics;

namespace MiniMind.Engine.Tests;

/// <summary>
/// The engine's suite again under every lower CPU capability this machine can run, so that a bound which holds only on
/// one CPU's kernels fails here and not first on someone else's machine. libtorch picks its kernels by CPU (AVX-512, AVX2
/// or the portable ones) and sums in a different order with each; <c>ATEN_CPU_CAPABILITY</c> forces the choice. Each case
/// runs this test assembly in a child <c>dotnet test</c> with the variable set (every test but these) and fails with the
/// child's failures. Part of the README's test command; <c>ATEN_CPU_CAPABILITY=avx2 dotnet test Engine.Tests</c> does
/// the same by hand.
/// </summary>
public sealed class CpuCapabilityTests
{
    const string Variable = "ATEN_CPU_CAPABILITY";

    /// <summary>
    /// "default" always; "avx2" where this CPU has AVX-512 (libtorch would otherwise take AVX-512 kernels) and AVX2 with
    /// FMA (forcing a capability the CPU lacks would end in an illegal instruction). The capability already forced on
    /// this process is left out: the suite is running under it now.
    /// </summary>
    public static TheoryData<string> LowerCapabilities()
    {
        var flags = CpuFlags();
        var data = new TheoryData<string>();
        foreach (var capability in new[] { "avx2", "default" })
        {
            if (capability == Environment.GetEnvironmentVariable(Variable)) continue;
            if (capability == "avx2" && !(flags.Contains("avx512f") && flags.Contains("avx2") && flags.Contains("fma"))) continue;
            data.Add(capability);
        }
        if (data.Count == 0) data.Add("default"); // the suite forced to "default" already: once more costs little and proves the runner
        return data;
    }

    static HashSet<string> CpuFlags()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!File.Exists(cpuinfo)) return [];
        var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
        return [.. line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }

    [Theory]
    [MemberData(nameof(LowerCapabilities))]
    public async Task TheEngineSuite_PassesUnderALowerCpuCapability(string capability)
    {
        var assembly = typeof(CpuCapabilityTests).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "test", assembly, "--filter", $"FullyQualifiedName!~{nameof(CpuCapabilityTests)}", "--logger", "console;verbosity=minimal" })
            start.ArgumentList.Add(arg);
        start.Environment[Variable] = capability;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEndAsync();
        var error = child.StandardError.ReadToEndAsync();
        // a bound on a hung child, far above the suite's time on a busy 2-core machine (about a minute)
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail($"{Variable}={capability}: the suite did not finish in 20 minutes");
        }
        var text = await output + await error;
        var failed = text.Split('\n').Where(l => l.TrimStart().StartsWith("Failed ", StringComparison.Ordinal) || l.Contains("Error Message", StringComparison.Ordinal)).Take(40);
        Assert.True(child.ExitCode == 0, $"{Variable}={capability}: exit {child.ExitCode}\n{string.Join('\n', failed)}\n{Tail(text)}");
        Assert.Matches(@"Failed:\s+0, Passed:\s+[1-9]", text); // ran tests and counted them
    }

    static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
