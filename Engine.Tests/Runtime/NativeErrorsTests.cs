using System.Runtime.InteropServices;
using MiniMind.Engine.Runtime;

namespace MiniMind.Engine.Tests.Runtime;

public sealed class NativeErrorsTests
{
    const string CpuAllocation = "[enforce fail at alloc_cpu.cpp:127] data. DefaultCPUAllocator: can't allocate memory: you tried to allocate 40000000000 bytes. Error code 12 (Cannot allocate memory)\nframe #0: c10::ThrowEnforceNotMet(char const*, int, char const*, std::string const&, void const*) + 0x5c (0x7f in libc10.so)\nframe #1: <unknown function> + 0x1f (0x7f in libc10.so)";
    const string CudaAllocation = "CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.10 GiB\nException raised from malloc at c10/cuda/CUDACachingAllocator.cpp:1200 (most recent call first):\nframe #0: c10::Error::Error";

    [Fact]
    public void Summary_DropsTheNativeFrames()
    {
        Assert.Equal("[enforce fail at alloc_cpu.cpp:127] data. DefaultCPUAllocator: can't allocate memory: you tried to allocate 40000000000 bytes. Error code 12 (Cannot allocate memory)",
            NativeErrors.Summary(CpuAllocation));
        Assert.Equal("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.10 GiB", NativeErrors.Summary(CudaAllocation));
        Assert.Equal("shape mismatch", NativeErrors.Summary("shape mismatch"));
    }

    [Fact]
    public void OutOfMemory_IsRecognisedOnTheCpuAndOnCuda_AndNothingElseIs()
    {
        Assert.True(NativeErrors.IsOutOfMemory(new ExternalException(CpuAllocation)));
        Assert.True(NativeErrors.IsOutOfMemory(new ExternalException(CudaAllocation)));
        Assert.False(NativeErrors.IsOutOfMemory(new ExternalException("shape mismatch")));
        Assert.False(NativeErrors.IsOutOfMemory(new InvalidOperationException("out of memory, says a message that is not libtorch's")));
    }
}
