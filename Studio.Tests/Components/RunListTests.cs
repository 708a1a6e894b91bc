using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Studio.Components.Pages.Train;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Services;

namespace MiniMind.Studio.Tests.Components;

public sealed class RunListTests : StudioComponentTest
{
    [Fact]
    public void ARun_IsListedWithTheCheckpointItWrites()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var run = training.Start(TinyRun.Pretrain(steps: 2, outputName: "listed_run"));

        var cut = Render<RunList>();

        cut.WaitForAssertion(() => Assert.Equal("listed_run", cut.Find($".run-row[data-run='{run.Id}'] .run-output").TextContent.Trim()), TimeSpan.FromMinutes(2));
    }
}
