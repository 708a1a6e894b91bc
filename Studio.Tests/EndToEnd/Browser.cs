using System.Runtime.CompilerServices;

namespace MiniMind.Studio.Tests.EndToEnd;

/// <summary>
/// The Chromium the browser tests drive: MINIMIND_CHROMIUM when set, else the system's. <c>dotnet test</c> installs
/// Debian's first when it is missing (tools/test-browser.sh, run by Studio.Tests.csproj); without one the browser tests
/// are skipped (<see cref="BrowserFactAttribute"/>), saying what is missing and how to get it.
/// </summary>
public static class Browser
{
    public const string Variable = "MINIMIND_CHROMIUM";
    static readonly string[] Known = ["/usr/bin/chromium", "/snap/bin/chromium", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

    /// <summary>The browser's executable, or null when there is none (then <see cref="Missing"/> says why).</summary>
    public static string? Path { get; }

    /// <summary>Why there is no browser, and how to get one; null when there is.</summary>
    public static string? Missing { get; }

    static Browser()
    {
        var chosen = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(chosen))
        {
            if (File.Exists(chosen)) Path = chosen;
            else Missing = $"{Variable}={chosen} does not exist";
        }
        else
        {
            Path = Known.FirstOrDefault(File.Exists);
            if (Path is null) Missing = $"Chromium not found at {Known[0]}";
        }
        if (Missing is null) return;
        // what `dotnet test` tried (tools/test-browser.sh writes one line beside the test assembly)
        var outcome = System.IO.Path.Combine(AppContext.BaseDirectory, "test-browser.txt");
        var tried = File.Exists(outcome) ? File.ReadAllText(outcome).Trim() : "did not run";
        Missing += $"; `dotnet test`'s install: {tried}; get one with apt-get install -y chromium fonts-noto-cjk,"
                 + $" or set {Variable} to a Chromium or Chrome executable; browser test skipped";
    }
}

/// <summary>
/// A test that drives <see cref="Browser"/>: skipped, with the reason, when there is no browser. The reason is in the
/// test's name too, since `dotnet test` prints only the names of skipped tests.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute([CallerMemberName] string test = "")
    {
        if (Browser.Missing is null) return;
        Skip = Browser.Missing;
        DisplayName = $"{test}: {Browser.Missing}";
    }
}
