using MiniMind.Engine.Runtime;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Runtime;

public class CpuThreadsTests
{
    [Theory]
    [InlineData(2, 2.0, 1)]  // an idle machine: one row still takes one thread
    [InlineData(16, 16.0, 1)]
    [InlineData(2, 0.0, 1)]  // a busy one
    public void DecodingOneRow_TakesOneThread(int cores, double free, int expected) =>
        Assert.Equal(expected, CpuThreads.Choose(CpuWork.Decoding, 1, cores, null, free).Threads);

    [Theory]
    [InlineData(CpuWork.Training, 1, 2, 2.0, 2)]   // idle: every core
    [InlineData(CpuWork.Training, 1, 2, 1.6, 2)]   // rounded
    [InlineData(CpuWork.Training, 1, 2, 1.2, 1)]
    [InlineData(CpuWork.Training, 1, 2, 0.1, 1)]   // all busy: never fewer than one
    [InlineData(CpuWork.Training, 1, 8, 9.0, 8)]   // never more than the cores
    [InlineData(CpuWork.Evaluation, 1, 4, 3.0, 3)]
    [InlineData(CpuWork.Decoding, 4, 2, 2.0, 2)]   // several rows: the free cores,
    [InlineData(CpuWork.Decoding, 2, 16, 16.0, 2)] // but no more than the rows
    public void BatchWork_TakesTheFreeCores(CpuWork work, int rows, int cores, double free, int expected)
    {
        var choice = CpuThreads.Choose(work, rows, cores, null, free);
        Assert.Equal(expected, choice.Threads);
        Assert.Contains($"of {cores} cores free", choice.Reason);
    }

    [Theory]
    [InlineData(CpuWork.Decoding, 1)]
    [InlineData(CpuWork.Training, 1)]
    [InlineData(CpuWork.Decoding, 8)]
    public void AFixedCount_WinsForEveryJob(CpuWork work, int rows)
    {
        var choice = CpuThreads.Choose(work, rows, cores: 8, fixedCount: 3, freeCores: 0.5);
        Assert.Equal(3, choice.Threads);
        Assert.Contains("--threads", choice.Reason);
    }

    [Fact]
    public void Apply_SetsTheCountOnTheCallingThread()
    {
        (ThreadChoice Choice, int Set) seen = default;
        var thread = new Thread(() =>
        {
            var choice = CpuThreads.Apply(CpuWork.Decoding, CPU);
            seen = (choice, get_num_threads());
        });
        thread.Start();
        thread.Join();
        Assert.Equal(seen.Choice!.Threads, seen.Set);
        Assert.True(seen.Set >= 1);
    }

    [Fact]
    public void ProcStatLine_GivesIdleAndTotal()
    {
        var first = CpuTimes.Parse("cpu  100 5 50 800 20 3 2 0 0 0");
        Assert.Equal(new CpuTimes(980, 820), first);
        var second = CpuTimes.Parse("cpu  200 5 100 850 20 3 2 0 0 0")!.Value; // 200 ticks later, 50 of them idle
        Assert.Equal(0.25, CpuTimes.IdleShare(first!.Value, second));
        Assert.Null(CpuTimes.IdleShare(second, second)); // no time passed
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cpu0 1 2 3 4 5")]  // a single core's line, not the total
    [InlineData("cpu 1 2 x 4 5")]
    [InlineData("cpu 1 2")]
    [InlineData("cpu 1 2 -3 4 5")]
    public void OtherLines_AreNotRead(string? line) => Assert.Null(CpuTimes.Parse(line));

    [Fact]
    public void FreeCores_IsBetweenZeroAndTheCores()
    {
        double free = CpuThreads.FreeCores();
        Assert.InRange(free, 0, CpuThreads.Cores);
    }
}
