using System.Text.Json;
using MiniMind.Engine.Training;

namespace MiniMind.Engine.Tests.Training;

/// <summary>A run's metrics.jsonl keeps its history through a resume, whatever lines it holds.</summary>
public sealed class RunDirectoryTests : IDisposable
{
    readonly string outDir = Directory.CreateTempSubdirectory("minimind-rundir-").FullName;

    public void Dispose() => Directory.Delete(outDir, recursive: true);

    static string Line(long step) => JsonSerializer.Serialize(new StepMetrics { RunId = "r", Step = step, Loss = 1.0 / step });

    [Fact]
    public void ABadLine_IsSkippedOnReading_AndMovedAsideOnResume_NeverTheHistoryAfterIt()
    {
        var run = RunDirectory.Create(outDir, TrainingStage.Pretrain);
        File.WriteAllLines(run.MetricsPath, [Line(1), Line(2), "{\"step\": 3, \"loss\": [broken", Line(3), Line(4), "", Line(5), "{\"run_id\":\"r\",\"st"]);

        Assert.Equal([1L, 2, 3, 4, 5], run.ReadMetrics().Select(m => m.Step));

        var rejected = run.TruncateMetricsAfter(4); // resumed from the state saved at step 4: step 5 runs again

        Assert.Equal(2, rejected);
        Assert.Equal([1L, 2, 3, 4], run.ReadMetrics().Select(m => m.Step));
        Assert.Equal(["{\"step\": 3, \"loss\": [broken", "{\"run_id\":\"r\",\"st"], File.ReadAllLines(run.RejectedMetricsPath));
    }
}
