using Microsoft.Extensions.Configuration;
using MiniMind.Studio.Services;

namespace MiniMind.Studio.Tests.Services;

public sealed class StudioPathsTests
{
    static StudioOptions FromJson(string json)
    {
        var file = Path.Combine(Path.GetTempPath(), $"minimind-settings-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, json);
        try
        {
            return StudioOptions.From(new ConfigurationBuilder().AddJsonFile(file).Build());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void DatasetFolders_FromTheShippedSettings_AreListedOnce()
    {
        var options = FromJson(File.ReadAllText(Path.Combine(Repo.Root, "appsettings.json")));

        options.OutDir = TempOut();
        var paths = new StudioPaths(Repo.Root, options);

        Assert.Equal([Path.Combine(Repo.Root, "dataset")], paths.DatasetFolders);
    }

    [Fact]
    public void DatasetFolders_DefaultToDataset_AndRepeatsCollapse()
    {
        Assert.Equal([Path.Combine(Repo.Root, "dataset")], new StudioPaths(Repo.Root, new StudioOptions { OutDir = TempOut() }).DatasetFolders);
        var twice = new StudioOptions { OutDir = TempOut(), DatasetFolders = ["dataset", "./dataset", Path.Combine(Repo.Root, "dataset")] };
        Assert.Single(new StudioPaths(Repo.Root, twice).DatasetFolders);
    }

    static string TempOut() => Path.Combine(Path.GetTempPath(), "minimind-studio-tests", Guid.NewGuid().ToString("N")[..8]);
}
