using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Studio.Components.Pages.Chat;
using MiniMind.Studio.Components.Pages.Checkpoints;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Components;

/// <summary>Links name checkpoints relative to the studio's folder, not by the server's absolute paths.</summary>
public sealed class RelativePathLinkTests : StudioComponentTest, IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("minimind-root-").FullName;
    readonly StudioPaths paths;

    public RelativePathLinkTests()
    {
        var options = new StudioOptions { OutDir = "out", DatasetFolders = [Path.Combine(Repo.Root, "dataset")], MetricsIntervalMilliseconds = 50 };
        paths = new StudioPaths(root, options);
        Services.AddSingleton(options);
        Services.AddSingleton(paths);
        Services.AddSingleton(new CheckpointCatalog(paths));
    }

    void IDisposable.Dispose()
    {
        try { Directory.Delete(root, recursive: true); }
        catch (IOException) { /* cleaned with the temp folder */ }
    }

    [Fact]
    public void OpenInChat_LinksTheCheckpointByItsPathUnderTheStudio_AndChatOpensIt()
    {
        CheckpointFiles.Tiny(paths.OutDir, "first");
        Thread.Sleep(20);
        CheckpointFiles.Tiny(paths.OutDir, "second");

        var page = Render<CheckpointsPage>();
        var link = page.FindAll("a").Select(a => a.GetAttribute("href")).First(h => h?.Contains("checkpoint=", StringComparison.Ordinal) == true && h.Contains("first", StringComparison.Ordinal))!;

        Assert.Equal("/chat?checkpoint=" + Uri.EscapeDataString(Path.Combine("out", "first.safetensors")), link);
        Assert.DoesNotContain(root, Uri.UnescapeDataString(link));
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(link);
        var chat = Render<ChatPage>();
        Assert.Contains("first (sft", chat.Find(".mud-input-control:has(#chat-checkpoint)").TextContent);
    }
}
