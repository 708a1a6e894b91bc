using System.Text;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Hosting;

/// <summary>
/// A run's files to download (<see cref="RunFileRoutes"/>): its metrics as CSV or as the JSONL it writes, and its config.
/// Only runs the studio knows, only their own folder's files: the id picks the run, never a path.
/// </summary>
public static class RunFiles
{
    const string Prefix = RunFileRoutes.Prefix;

    public static void MapRunFiles(this WebApplication app)
    {
        app.MapGet(Prefix + "/{id}/metrics.csv", (string id, TrainingService training) => training.Find(id) is null ? Results.NotFound()
            : Results.File(Encoding.UTF8.GetBytes(RunFileRoutes.Csv(training.Metrics(id))), "text/csv", $"{id}-metrics.csv"));
        app.MapGet(Prefix + "/{id}/metrics.jsonl", (string id, TrainingService training) => FileOfRun(training, id, "metrics.jsonl", "application/x-ndjson"));
        app.MapGet(Prefix + "/{id}/config.json", (string id, TrainingService training) => FileOfRun(training, id, "config.json", "application/json"));
    }

    static IResult FileOfRun(TrainingService training, string id, string name, string type)
    {
        if (training.Find(id) is not { } run) return Results.NotFound();
        var path = Path.Combine(run.Directory, name);
        return File.Exists(path) ? Results.File(File.ReadAllBytes(path), type, $"{id}-{name}") : Results.NotFound();
    }
}
