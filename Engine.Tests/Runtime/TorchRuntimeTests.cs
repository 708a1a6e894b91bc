using MiniMind.Engine.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Runtime;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void TorchSharp_LoadsAndComputes()
    {
        var info = TorchRuntime.Initialize(new RuntimeOptions("cpu"));
        var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);

        Assert.Equal(new float[] { 7, 10, 15, 22 }, a.matmul(a).data<float>().ToArray());
        Assert.StartsWith("2.", info.LibTorchVersion);
        Assert.Contains("device cpu", info.ToString());
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("CPU")]
    [InlineData("auto")]
    public void ResolveDevice_AcceptsCpuAndAuto(string spec) =>
        Assert.Equal(cuda.is_available() && spec == "auto" ? DeviceType.CUDA : DeviceType.CPU, TorchRuntime.ResolveDevice(spec).type);

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    public void ResolveDevice_Cuda_WithoutAGpu_SaysHowToGetOne(string spec)
    {
        if (cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, TorchRuntime.ResolveDevice(spec).type);
            return;
        }
        var e = Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice(spec));
        Assert.Contains("CUDA is not available", e.Message);
        Assert.Contains("--libtorch", e.Message);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void ResolveDevice_Unknown_IsAClearError(string spec)
    {
        var e = Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice(spec));
        Assert.Contains(spec, e.Message);
    }
}
