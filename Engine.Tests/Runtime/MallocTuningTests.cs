using MiniMind.Engine.Runtime;

namespace MiniMind.Engine.Tests.Runtime;

public class MallocTuningTests
{
    [Fact]
    public void TheEngine_FixesTheMmapThreshold_OnLinuxUnlessTheEnvironmentDoes()
    {
        TorchRuntime.Initialize(new RuntimeOptions("cpu"));
        if (!OperatingSystem.IsLinux()) Assert.Null(MallocTuning.Applied);
        else if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is { Length: > 0 }) Assert.Null(MallocTuning.Applied);
        else Assert.Equal(MallocTuning.MmapThreshold, MallocTuning.Applied); // mallopt accepted it (glibc)
    }
}
