using System.Diagnostics;
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

    static Process Sleeper()
    {
        var start = new ProcessStartInfo("sleep", "60") { UseShellExecute = false };
        return Process.Start(start)!;
    }

    [Fact]
    public void TemporaryPath_NamesTheWritersProcess_BesideTheTarget()
    {
        var path = AtomicFile.TemporaryPath(Path.Combine(dir, "pretrain_128.safetensors"));

        Assert.Equal(dir, Path.GetDirectoryName(path));
        Assert.Matches($@"^\.pretrain_128\.safetensors\.pid{Environment.ProcessId}\.[0-9a-f]{{32}}\.tmp$", Path.GetFileName(path));
    }

    [Fact]
    public void RemoveOrphans_DeletesADeadWritersFilesAtOnce_AndKeepsALiveWritersWhateverTheirAge()
    {
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        exited.WaitForExit();
        using var live = Sleeper();
        try
        {
            var now = DateTime.UtcNow;
            var dead = File_($".full_sft_128.safetensors.pid{exited.Id}.{Guid.NewGuid():N}.tmp", now); // written just now, writer gone
            var staging = Directory.CreateDirectory(Path.Combine(dir, $".resume.pid{exited.Id}.{Guid.NewGuid():N}.tmp")).FullName;
            var reused = File_($".pretrain_128.json.pid{live.Id}.{Guid.NewGuid():N}.tmp", now - TimeSpan.FromHours(2)); // before that process started: its id was reused
            var kept = new[]
            {
                File_($".pretrain_128.safetensors.pid{live.Id}.{Guid.NewGuid():N}.tmp", now), // another process writing
                File_($".pretrain_128.json.pid{Environment.ProcessId}.{Guid.NewGuid():N}.tmp", Long), // this process writing, however long ago touched
                File_($".pretrain_128.json.{Guid.NewGuid():N}.tmp", now), // an earlier build's name, young: the age rule
            };

            var removed = AtomicFile.RemoveOrphans(dir);

            Assert.Equal(new[] { dead, staging, reused }.Order(), removed.Order());
            Assert.All(kept, path => Assert.True(File.Exists(path), path));
        }
        finally
        {
            live.Kill();
            live.WaitForExit();
        }
    }

    [Fact]
    public void RemoveOrphans_OfAMissingFolder_RemovesNothing() =>
        Assert.Empty(AtomicFile.RemoveOrphans(Path.Combine(dir, "absent")));
}
