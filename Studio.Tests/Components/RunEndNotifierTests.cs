using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MiniMind.Studio.Components.Shared;
using MiniMind.Studio.Services;
using MiniMind.Studio.Tests.Services;
using MudBlazor;

namespace MiniMind.Studio.Tests.Components;

/// <summary>Wherever the user is, a run that ends says so once, with a way to open it.</summary>
public sealed class RunEndNotifierTests : StudioComponentTest
{
    [Fact]
    public async Task ARunThatEnds_IsAnnouncedOnce_WithItsOutcome()
    {
        var training = Services.GetRequiredService<TrainingService>();
        var snackbar = Services.GetRequiredService<ISnackbar>();
        var earlier = training.Start(TinyRun.Pretrain(1, "before"));
        await Services.GetRequiredService<MiniMind.Engine.Training.RunManager>().Find(earlier.Id)!.Completion.WaitAsync(TimeSpan.FromMinutes(2));
        Render<RunEndNotifier>();

        var run = training.Start(TinyRun.Pretrain(2, "announced"));

        await WaitFor(() => Assert.Contains(snackbar.ShownSnackbars, s => (s.Message ?? "").Contains($"Run {run.Id} (pretrain) completed.")));
        Assert.DoesNotContain(snackbar.ShownSnackbars, s => (s.Message ?? "").Contains(earlier.Id)); // ended before the page opened
        Assert.Single(snackbar.ShownSnackbars, s => (s.Message ?? "").Contains(run.Id));
        Assert.Equal(Severity.Success, snackbar.ShownSnackbars.Single(s => (s.Message ?? "").Contains(run.Id)).Severity);
    }

    static async Task WaitFor(Action assertion)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Xunit.Sdk.XunitException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
