using MiniMind.Engine.Model;

namespace MiniMind.Engine.Tests.Model;

public sealed class MiniMindConfigTests
{
    [Fact]
    public void Defaults_AreTheSeedsLMConfig()
    {
        var c = new MiniMindConfig();
        Assert.Equal((512, 8, 8, 2, 6400, 64, 8192), (c.Dim, c.NLayers, c.NHeads, c.KvHeads, c.VocabSize, c.MultipleOf, c.MaxSeqLen));
        Assert.Equal((1e-5, 1e6, 0.0), (c.NormEps, c.RopeTheta, c.Dropout));
        Assert.Equal((false, 2, 4, true, "softmax", 0.1, true, true),
            (c.UseMoe, c.NumExpertsPerTok, c.NRoutedExperts, c.NSharedExperts, c.ScoringFunc, c.AuxLossAlpha, c.SeqAux, c.NormTopkProb));
        Assert.Null(c.HiddenDim);
    }

    [Theory]
    [InlineData(512, 1408)]
    [InlineData(768, 2048)]
    [InlineData(640, 1728)]
    [InlineData(64, 192)]
    public void FfnHiddenDim_FollowsTheSeedsFormula(int dim, int hidden) =>
        Assert.Equal(hidden, new MiniMindConfig { Dim = dim, NHeads = dim / 64 }.FfnHiddenDim);

    [Theory]
    [InlineData("small", 25_829_888L)]
    [InlineData("base", 104_030_976L)]
    public void Presets_HaveTheSeedsParameterCounts(string preset, long parameters)
    {
        using var model = new MiniMind.Engine.Model.MiniMindModel(MiniMindConfig.Preset(preset) with { MaxSeqLen = 16 });
        Assert.Equal(parameters, model.ParameterCount);
        Assert.Equal(parameters, model.Config.ParameterCount);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void ParameterCount_FromConfig_EqualsTheBuiltModel(bool moe, bool shared)
    {
        var config = new MiniMindConfig { Dim = 48, NLayers = 3, NHeads = 6, NKvHeads = 3, VocabSize = 300, MaxSeqLen = 8, UseMoe = moe, NSharedExperts = shared, NRoutedExperts = 3 };
        using var model = new MiniMind.Engine.Model.MiniMindModel(config);
        Assert.Equal(model.ParameterCount, config.ParameterCount);
    }

    [Fact]
    public void Json_UsesLMConfigFieldNames_AndRoundTrips()
    {
        var config = MiniMindConfig.Preset("moe");
        var json = config.ToJson();

        Assert.Contains("\"n_kv_heads\": 2", json);
        Assert.Contains("\"use_moe\": true", json);
        Assert.Equal(config, MiniMindConfig.FromJson(json));
    }

    [Fact]
    public void Json_AcceptsSharedExpertsAsACount()
    {
        Assert.False(MiniMindConfig.FromJson("{\"n_shared_experts\": 0}").NSharedExperts);
        Assert.True(MiniMindConfig.FromJson("{\"n_shared_experts\": 1}").NSharedExperts);
    }

    [Theory]
    [InlineData("{\"dim\": 100, \"n_heads\": 8}", "n_heads")]
    [InlineData("{\"n_heads\": 8, \"n_kv_heads\": 3}", "n_kv_heads")]
    [InlineData("{\"use_moe\": true, \"num_experts_per_tok\": 5}", "num_experts_per_tok")]
    [InlineData("{\"dim\": \"big\"}", "dim")]
    public void InvalidConfig_ErrorNamesTheField(string json, string field)
    {
        var e = Assert.Throws<ArgumentException>(() => MiniMindConfig.FromJson(json, "my.json"));
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void UnknownPreset_ListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => MiniMindConfig.Preset("huge"));
        Assert.Contains("small", e.Message);
        Assert.Contains("tiny", e.Message);
    }
}
