using MiniMind.Engine.Training;

namespace MiniMind.Engine.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0, 1.1e-3)]     // lr/10 + lr
    [InlineData(50, 0.6e-3)]    // halfway: lr/10 + lr/2
    [InlineData(100, 0.1e-3)]   // the end: lr/10
    public void Cosine_IsTheSeedsFormula(long step, double expected) =>
        Assert.Equal(expected, new LearningRateSchedule(1e-3, 100).At(step), 12);

    [Fact]
    public void Warmup_RisesLinearlyToWhereTheCosineStarts()
    {
        var s = new LearningRateSchedule(1e-3, 110, WarmupSteps: 10);
        Assert.Equal(1.1e-4, s.At(0), 12);
        Assert.Equal(1.1e-3, s.At(9), 12);
        Assert.Equal(1.1e-3, s.At(10), 12);
        Assert.Equal(0.1e-3, s.At(110), 12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Warmup_JoinsTheScheduleWithoutAJump(bool constant)
    {
        var s = new LearningRateSchedule(2e-3, 344, WarmupSteps: 20, Constant: constant);
        for (long t = 1; t < 344; t++) Assert.True(s.At(t) <= s.At(t - 1) || t <= 20, $"step {t} rises after warmup");
        for (long t = 1; t <= 20; t++) Assert.True(s.At(t) >= s.At(t - 1), $"step {t} falls during warmup");
        Assert.Equal(s.At(19), s.At(20), 12);
    }

    [Fact]
    public void ConstantWarmup_RisesToTheRate()
    {
        var s = new LearningRateSchedule(5e-4, 10, WarmupSteps: 4, Constant: true);
        Assert.Equal(1.25e-4, s.At(0), 12);
        Assert.Equal(5e-4, s.At(3), 12);
        Assert.Equal(5e-4, s.At(4), 12);
    }

    [Fact]
    public void Constant_StaysPut() => Assert.Equal(5e-4, new LearningRateSchedule(5e-4, 10, Constant: true).At(7));
}
