using MiniMind.Engine.IO;
using MiniMind.Engine.Training;

namespace MiniMind.Engine.Tests.Checkpoints;

/// <summary>Temporary files of atomic writes that a kill orphaned are removed; nothing else is.</summary>
public sealed class AtomicFileTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("minimind-atomic-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly DateTime Long = DateTime.UtcNow - TimeSpan.FromHours(1);

    string File_(string name, DateTime? touched = null)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, "x");
        File.SetLastWriteTimeUtc(path, touched ?? Long);
        return path;
    }

    [Fact]
    public void RemoveOrphans_DeletesOldTemporaryFilesAndFolders_OfTheProjectsNamingOnly()
    {
        var guid = Guid.NewGuid().ToString("N");
        var checkpointTmp = File_($".pretrain_128.safetensors.{guid}.tmp");
        var staging = Directory.CreateDirectory(Path.Combine(dir, $".resume.{guid}.tmp")).FullName;
        File.WriteAllText(Path.Combine(staging, "model.safetensors"), "x");
        File.SetLastWriteTimeUtc(Path.Combine(staging, "model.safetensors"), Long);
        Directory.SetLastWriteTimeUtc(staging, Long);
        var kept = new[]
        {
            File_($".pretrain_128.safetensors.{Guid.NewGuid():N}.tmp", DateTime.UtcNow), // a write still under way
            File_("notes.tmp"), File_(".notes.tmp"), File_($"pretrain_128.{guid}.tmp"), File_(".x.1234.tmp"), File_("pretrain_128.safetensors"),
        };

        var removed = AtomicFile.RemoveOrphans(dir);

        Assert.Equal([checkpointTmp, staging], removed.Order());
        Assert.False(File.Exists(checkpointTmp));
        Assert.False(Directory.Exists(staging));
        Assert.All(kept, path => Assert.True(File.Exists(path), path));
    }

    [Fact]
    public void RemoveOrphans_LeavesAStagingFolderWhoseFilesAreStillBeingWritten()
    {
        var staging = Directory.CreateDirectory(Path.Combine(dir, $".resume.{Guid.NewGuid():N}.tmp")).FullName;
        Directory.SetLastWriteTimeUtc(staging, Long);
        File.WriteAllText(Path.Combine(staging, "optimizer.safetensors"), "x"); // just now

        Assert.Empty(AtomicFile.RemoveOrphans(dir));
        Assert.True(Directory.Exists(staging));
    }

    [Fact]
    public void RunDirectory_RemoveOrphans_LooksInTheOutFolderAndEveryRunFolder()
    {
        var run = RunDirectory.Create(dir, TrainingStage.Pretrain);
        var inRun = Path.Combine(run.Path, $".resume.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(inRun, "x");
        File.SetLastWriteTimeUtc(inRun, Long);
        var inOut = File_($".full_sft_128.json.{Guid.NewGuid():N}.tmp");

        Assert.Equal(new[] { inOut, inRun }.Order(), RunDirectory.RemoveOrphans(dir).Order());
    }

    [Fact]
    public void RemoveOrphans_OfAMissingFolder_RemovesNothing() =>
        Assert.Empty(AtomicFile.RemoveOrphans(Path.Combine(dir, "absent")));
}
