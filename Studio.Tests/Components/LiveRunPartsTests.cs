using MiniMind.Engine.Training;
using MiniMind.Studio.Components.Pages.Train;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The live view's smoothed loss and headline speed.</summary>
public sealed class LiveRunPartsTests
{
    [Fact]
    public void LossSmoother_IsABiasCorrectedEma_ThatSkipsNonFiniteLosses()
    {
        var smoother = new LossSmoother();

        Assert.Equal(4.0, smoother.Add(4.0), 10); // bias-corrected: the first point is the loss itself
        Assert.Equal(4.0, smoother.Add(double.NaN), 10);
        var expected = (0.9 * 0.1 * 4.0 + 0.1 * 2.0) / (1 - 0.9 * 0.9); // EMA of 4 then 2, corrected
        Assert.Equal(expected, smoother.Add(2.0), 10);
    }

    [Fact]
    public void RecentSpeed_IsTheMedianOfTheLastSteps_SoAPausedStepDoesNotMoveIt()
    {
        var speed = new RecentSpeed();
        StepMetrics Step(double tokensPerSecond) => new() { RunId = "r", Step = 1, TokensPerSecond = tokensPerSecond, UsefulTokensPerSecond = tokensPerSecond / 2 };
        foreach (var s in new[] { 2000.0, 2100, 1900, 2050, 2000 }) speed.Add(Step(s));
        Assert.Equal(2000, speed.TokensPerSecond);

        speed.Add(Step(193)); // a step that spanned a pause
        speed.Add(Step(2600)); // and a fast one

        Assert.Equal(2000, speed.TokensPerSecond);
        Assert.Equal(1000, speed.UsefulTokensPerSecond);
        for (var i = 0; i < RecentSpeed.Window; i++) speed.Add(Step(500));
        Assert.Equal(500, speed.TokensPerSecond); // only the last steps count
    }
}
