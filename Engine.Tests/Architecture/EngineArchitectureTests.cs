using MiniMind.Architecture;
using MiniMind.Engine.Model;

namespace MiniMind.Engine.Tests.Architecture;

/// <summary>
/// The engine's layering, checked on its compiled IL (see <see cref="FolderDependencies"/>): it knows nothing of the web,
/// the model knows nothing of how it is trained or stored, and no two folders use each other, directly or in a ring.
/// IO (atomic files, safetensors, progress), Runtime and ChatTemplates (the Jinja interpreter) are the bottom: they use no
/// other folder.
/// </summary>
public sealed class EngineArchitectureTests
{
    static readonly FolderDependencies Engine = new(typeof(MiniMindModel).Assembly.Location, "MiniMind.Engine");

    [Theory]
    [InlineData("Microsoft.AspNetCore")]
    [InlineData("Microsoft.JSInterop")]
    [InlineData("MudBlazor")]
    [InlineData("Plotly")]
    [InlineData("MiniMind.Studio")]
    public void TheEngine_KnowsNothingOfTheWeb(string web)
    {
        var uses = Engine.Uses.Where(u => u.Key.To == web || u.Key.To.StartsWith(web + ".", StringComparison.Ordinal)).SelectMany(u => u.Value).ToList();

        Assert.True(uses.Count == 0, string.Join("\n", uses));
    }

    [Theory]
    [InlineData("Model", "Training")]
    [InlineData("Model", "Data")]
    [InlineData("Model", "Checkpoints")]
    [InlineData("Model", "Interop")]
    [InlineData("Model", "Tokenization")]
    [InlineData("Tokenization", "Model")]
    [InlineData("Generation", "Training")]
    [InlineData("Chat", "Training")]
    [InlineData("Checkpoints", "Interop")]
    [InlineData("IO", "*")]
    [InlineData("Runtime", "*")]
    [InlineData("ChatTemplates", "*")]
    public void AFolder_DoesNotUseWhatItMustNot(string from, string to)
    {
        var uses = Engine.Examples(from, ns => Engine.Folder(ns) is { } folder && (to == "*" || folder == to));

        Assert.True(uses.Count == 0, $"{from} uses {to}:\n{string.Join("\n", uses)}");
    }

    [Fact]
    public void NoTwoFolders_UseEachOther()
    {
        var cycles = Engine.Cycles();

        Assert.True(cycles.Count == 0, string.Join("\n", cycles.Select(c =>
            $"{string.Join(" <-> ", c)}: {string.Join("; ", c.SelectMany(a => Engine.Examples(a, ns => Engine.Folder(ns) is { } f && c.Contains(f))).Take(6))}")));
    }

    [Fact]
    public void TheCheck_SeesReferencesInMethodBodies()
    {
        // a test of the test: Training uses Model only inside method bodies and signatures, and it must be seen
        Assert.Contains("Model", Engine.Graph()["Training"]);
        Assert.Contains("IO", Engine.Graph()["Checkpoints"]);
    }
}
