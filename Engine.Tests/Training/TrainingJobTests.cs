using MiniMind.Engine.Model;
using MiniMind.Engine.Training;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Training;

/// <summary>TrainingJob.Prepare's refusals: what a user sees when the data is not what the options ask for.</summary>
public sealed class TrainingJobTests : IDisposable
{
    readonly string outDir = Directory.CreateTempSubdirectory("minimind-job-").FullName;

    public void Dispose() => Directory.Delete(outDir, recursive: true);

    [Fact]
    public void FailOnBadRecords_RefusesTheFile_NamingItsFirstBadRecord()
    {
        var options = SmallPretrainJob.Options(outDir, new MiniMindConfig { Dim = 32, NLayers = 2, NHeads = 4, NKvHeads = 2, MaxSeqLen = 32 }, lines: 10);
        File.AppendAllLines(options.DataPath, ["{\"txt\": \"no text field\"}"]);

        using (TrainingJob.Prepare(options, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain))) { } // by default the bad record is skipped
        var error = Assert.Throws<InvalidDataException>(() =>
            TrainingJob.Prepare(options with { FailOnBadRecords = true, Packed = false }, CPU, RunDirectory.Create(outDir, TrainingStage.Pretrain)));

        Assert.Contains("pretrain.jsonl", error.Message);
        Assert.Contains(":11", error.Message);
    }
}
