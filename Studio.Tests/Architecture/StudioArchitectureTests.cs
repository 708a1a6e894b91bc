using MiniMind.Architecture;
using MiniMind.Studio.Hosting;

namespace MiniMind.Studio.Tests.Architecture;

/// <summary>
/// The studio's folders, checked on its compiled IL: the API and the services stand on the engine alone (Hosting puts
/// them together, Components and Hubs show them), and no two folders use each other.
/// </summary>
public sealed class StudioArchitectureTests
{
    static readonly FolderDependencies Studio = new(typeof(StudioHost).Assembly.Location, "MiniMind.Studio");

    [Theory]
    [InlineData("Api", "Hosting")]
    [InlineData("Api", "Components")]
    [InlineData("Api", "Services")]
    [InlineData("Services", "Components")]
    [InlineData("Services", "Hosting")]
    [InlineData("Services", "Hubs")]
    [InlineData("Hubs", "Components")]
    [InlineData("Components", "Hosting")]
    public void AFolder_DoesNotUseWhatItMustNot(string from, string to)
    {
        var uses = Studio.Examples(from, ns => Studio.Folder(ns) == to);

        Assert.True(uses.Count == 0, $"{from} uses {to}:\n{string.Join("\n", uses)}");
    }

    [Fact]
    public void NoTwoFolders_UseEachOther()
    {
        var cycles = Studio.Cycles();

        Assert.True(cycles.Count == 0, string.Join("\n", cycles.Select(c =>
            $"{string.Join(" <-> ", c)}: {string.Join("; ", c.SelectMany(a => Studio.Examples(a, ns => Studio.Folder(ns) is { } f && c.Contains(f))).Take(6))}")));
    }
}
