using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Engine.Training;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Services;

namespace MiniMind.Studio.Tests.Hosting;

/// <summary>A run's metrics download as CSV and JSONL, its config as JSON; only the studio's runs, by id.</summary>
public sealed class RunFilesTests : IClassFixture<WebApplicationFactory<Program>>, IDisposable
{
    readonly string outDir = Directory.CreateTempSubdirectory("minimind-run-files-").FullName;
    readonly WebApplicationFactory<Program> factory;

    public RunFilesTests(WebApplicationFactory<Program> factory)
    {
        Environment.SetEnvironmentVariable("MINIMIND_ROOT", Repo.Root);
        this.factory = factory.WithWebHostBuilder(b => b.UseSetting("Engine:Device", "cpu").UseSetting("Studio:OutDir", outDir));
    }

    public void Dispose()
    {
        factory.Dispose();
        Directory.Delete(outDir, recursive: true);
    }

    [Fact]
    public async Task AFinishedRunsMetrics_DownloadAsCsvAndJsonl_AndItsConfig()
    {
        var client = factory.CreateClient();
        var training = factory.Services.GetRequiredService<TrainingService>();
        var run = training.Start(TinyRun.Pretrain(3, "downloaded"));
        await factory.Services.GetRequiredService<RunManager>().Find(run.Id)!.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        var csv = await client.GetStringAsync($"/runs/{run.Id}/metrics.csv");
        var jsonl = await client.GetStringAsync($"/runs/{run.Id}/metrics.jsonl");
        var config = await client.GetStringAsync($"/runs/{run.Id}/config.json");

        var rows = csv.Trim().Split('\n');
        Assert.StartsWith("step,total_steps,loss,aux_loss,lr,grad_norm,tokens_per_s,useful_tokens_per_s,elapsed_s", rows[0]);
        Assert.Equal(["1", "2", "3"], rows[1..].Select(r => r.Split(',')[0]));
        var steps = new RunDirectory(training.Find(run.Id)!.Directory).ReadMetrics();
        Assert.Equal(steps[2].Loss, double.Parse(rows[3].Split(',')[2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(3, jsonl.Trim().Split('\n').Length);
        Assert.Contains("\"stage\"", config);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/runs/no-such-run/metrics.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/runs/..%2F..%2Fappsettings/config.json")).StatusCode);
    }

    [Fact]
    public void StageMetrics_BecomeColumns_EmptyWhereAStepHasNone()
    {
        StepMetrics Step(long n, Dictionary<string, double>? extra) => new() { RunId = "r", Step = n, TotalSteps = 2, Loss = 1.5, LearningRate = 1e-3, GradNorm = 0.5, Extra = extra };

        var csv = RunFileRoutes.Csv([Step(1, new() { ["reward"] = 0.25 }), Step(2, new() { ["kl"] = 0.125, ["reward"] = 0.5 })]).Trim().Split('\n');

        Assert.EndsWith(",elapsed_s,kl,reward", csv[0]);
        Assert.EndsWith(",,0.25", csv[1]);
        Assert.EndsWith(",0.125,0.5", csv[2]);
    }
}
