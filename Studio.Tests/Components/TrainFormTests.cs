using Bunit;
using MiniMind.Studio.Components.Pages.Train;

namespace MiniMind.Studio.Tests.Components;

/// <summary>The Train form validates as the user types and estimates the model's size.</summary>
public sealed class TrainFormTests : StudioComponentTest
{
    [Fact]
    public void HeadsThatDoNotDivideDim_ShowAMessageOnTheField_AndDisableStart()
    {
        var cut = Render<TrainForm>();
        Assert.False(cut.Find("#train-start").HasAttribute("disabled"));

        cut.Find("#f-n_heads").Input("3");

        cut.WaitForAssertion(() => Assert.Contains("Must divide dim (128)", cut.Markup));
        Assert.True(cut.Find("#train-start").HasAttribute("disabled"));
        Assert.Equal("Must divide dim (128).", cut.Instance.Errors["n_heads"]);
    }

    [Fact]
    public void AnInvalidHyperparameter_IsNamedByItsField()
    {
        var cut = Render<TrainForm>();

        cut.Find("#f-batch_size").Input("0");

        cut.WaitForAssertion(() => Assert.Contains("batch_size", cut.Instance.Errors.Keys));
        Assert.Contains("must be positive", cut.Instance.Errors["batch_size"]);
        Assert.True(cut.Find("#train-start").HasAttribute("disabled"));
    }

    [Fact]
    public void TheEstimate_FollowsTheArchitecture()
    {
        var cut = Render<TrainForm>();
        var tiny = cut.Find("#estimate").TextContent;

        cut.Find("#f-n_layers").Input("8");

        cut.WaitForAssertion(() => Assert.NotEqual(tiny, cut.Find("#estimate").TextContent));
        var model = cut.Instance.Model;
        Assert.Equal(8, model.Layers);
        Assert.Contains($"{model.Config(1793).ParameterCount:N0}", cut.Find("#estimate").TextContent);
        Assert.Contains("training memory", cut.Find("#estimate").TextContent);
    }

    [Fact]
    public void StartHandsTheFormsOptionsToThePage()
    {
        MiniMind.Engine.Training.TrainingOptions? started = null;
        var cut = Render<TrainForm>(p => p.Add(f => f.OnStart, o => started = o));

        cut.Find("#f-max_steps").Input("7");
        cut.Find("#train-start").Click();

        Assert.NotNull(started);
        Assert.Equal(7, started.MaxSteps);
        Assert.Equal("tiny", started.Preset);
        Assert.Equal(128, started.Model!.Dim);
    }
}
