using System.Diagnostics;
using MiniMind.Engine.Interop;
using MiniMind.Engine.IO;
using MiniMind.Engine.Training;

namespace MiniMind.Studio.Tests.Adversarial;

/// <summary>
/// kill -9 of a real training process (the studio's own executable, as a user runs it) at random steps and in the middle
/// of its saves; each run is then resumed and must end bit for bit where an uninterrupted run ends: the same weights and
/// the same loss at every step, one metrics line per step. What the kill leaves must be readable, and its temporary
/// files must be ones a later start removes.
/// </summary>
public sealed class KillDuringTrainingTests : IDisposable
{
    const int Steps = 30, Trials = 10;
    readonly string root = Directory.CreateTempSubdirectory("minimind-kill-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    // one thread: the same arithmetic in every process; a save after every step, so kills often land in one
    static readonly string[] Options =
    [
        "--threads", "1", "--device", "cpu", "--set", $"max_steps={Steps}", "save_every=1", "batch_size=4", "max_seq_len=64", "accumulation_steps=1",
        $"data_path={Path.Combine(Repo.Root, "dataset", "pretrain_demo.jsonl")}", $"tokenizer_path={Path.Combine(Repo.Root, "dataset", "tokenizer")}",
    ];

    static Process Start(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MiniMind.Studio.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["MINIMIND_ROOT"] = Repo.Root;
        return Process.Start(start)!;
    }

    static async Task<(int Code, string Err)> RunToEnd(IEnumerable<string> args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await output;
        return (process.ExitCode, await error);
    }

    enum KillPoint { BetweenSaves, InSave, Finished }

    static int Lines(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new StreamReader(stream).ReadToEnd().Count(c => c == '\n');
        }
        catch (IOException) { return 0; }
    }

    /// <summary>Waits until the run has logged <paramref name="afterLines"/> steps and, when asked, until a save is under way.</summary>
    static async Task<KillPoint> WaitForKillPoint(Process process, string outDir, int afterLines, bool inSave)
    {
        var runs = Path.Combine(outDir, "runs");
        string? run = null;
        while (!process.HasExited)
        {
            run ??= Directory.Exists(runs) ? Directory.GetDirectories(runs).FirstOrDefault() : null;
            if (run is not null && Lines(Path.Combine(run, "metrics.jsonl")) >= afterLines) break;
            await Task.Delay(1);
        }
        if (!inSave) return process.HasExited ? KillPoint.Finished : KillPoint.BetweenSaves;
        while (!process.HasExited)
        {
            // a save writes .<name>.<guid>.tmp files and a .resume.<guid>.tmp folder, then renames them: spin until one shows
            if (Directory.EnumerateFileSystemEntries(outDir, "*.tmp").Any() || (run is not null && Directory.EnumerateFileSystemEntries(run, "*.tmp").Any()))
                return KillPoint.InSave;
            Thread.SpinWait(50);
        }
        return KillPoint.Finished;
    }

    [Fact]
    public async Task KilledAtRandomStepsAndDuringSaves_EveryRunResumesToTheUninterruptedResult()
    {
        var reference = Path.Combine(root, "reference");
        var (code, err) = await RunToEnd(["train", "pretrain", .. Options, "--set", $"out_dir={reference}"]);
        Assert.True(code == 0, err);
        var expectedWeights = File.ReadAllBytes(Path.Combine(reference, "pretrain_128.safetensors"));
        var expectedLosses = new RunDirectory(Directory.GetDirectories(Path.Combine(reference, "runs")).Single()).ReadMetrics().Select(m => (m.Step, m.Loss)).ToList();
        Assert.Equal(Steps, expectedLosses.Count);

        var random = new Random(20261205);
        var failures = new List<string>();
        int survived = 0, lost = 0, inSaves = 0;
        for (int trial = 0; trial < Trials; trial++)
        {
            bool duringSave = trial % 2 == 1;
            int afterLines = random.Next(3, Steps - 2);
            var outDir = Path.Combine(root, $"trial{trial}");
            KillPoint point;
            using (var process = Start(["train", "pretrain", .. Options, "--set", $"out_dir={outDir}"]))
            {
                _ = process.StandardOutput.ReadToEndAsync(); // drained, so the child never blocks on a full pipe
                _ = process.StandardError.ReadToEndAsync();
                point = await WaitForKillPoint(process, outDir, afterLines, duringSave);
                process.Kill(); // SIGKILL: no handler of the process runs
                await process.WaitForExitAsync();
            }
            if (point == KillPoint.InSave) inSaves++;
            var name = $"trial {trial} ({point}, after {afterLines} steps)";
            var run = new RunDirectory(Directory.GetDirectories(Path.Combine(outDir, "runs")).Single());
            var checkpoint = Path.Combine(outDir, "pretrain_128.safetensors");

            // what the kill left is whole: the resume state and the last checkpoint read back
            try
            {
                Assert.NotNull(ResumeState.Read(run.ResumePath));
                if (File.Exists(checkpoint)) foreach (var t in SafetensorsFile.Read(checkpoint).Values) t.Dispose();
            }
            catch (Exception e)
            {
                lost++;
                failures.Add($"{name}: left unreadable files: {e.Message}");
                continue;
            }

            var resumed = await RunToEnd(["train", "pretrain", "--resume", run.Path, "--threads", "1", "--device", "cpu"]);
            var losses = run.ReadMetrics().Select(m => (m.Step, m.Loss)).ToList();
            // the resume removed the killed writer's temporary files at once (its process is gone), not a minute later
            var leftovers = Directory.EnumerateFileSystemEntries(outDir, "*.tmp", SearchOption.AllDirectories).ToList();
            if (resumed.Code != 0) failures.Add($"{name}: resume failed: {resumed.Err}");
            else if (!File.ReadAllBytes(checkpoint).AsSpan().SequenceEqual(expectedWeights)) failures.Add($"{name}: the resumed weights differ from the uninterrupted run's");
            else if (!losses.SequenceEqual(expectedLosses)) failures.Add($"{name}: the metrics differ: steps {string.Join(",", losses.Select(l => l.Step))}");
            else if (leftovers.Count > 0) failures.Add($"{name}: temporary files left after the resume: {string.Join(", ", leftovers)}");
            else survived++;
        }

        AdversarialReport.WriteAndAssert(new("kill-during-training", Trials, survived, lost, failures,
            new Dictionary<string, double> { ["kills_during_a_save"] = inSaves, ["steps_per_run"] = Steps }));
        Assert.True(inSaves >= 1, "no kill landed in the middle of a save");
    }
}
