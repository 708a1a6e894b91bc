using MiniMind.Engine.Interop;
using MiniMind.Engine.Model;

namespace MiniMind.Engine.Tests.Interop;

public sealed class LlamaNamesTests
{
    [Theory]
    [InlineData("tok_embeddings.weight", "model.embed_tokens.weight")]
    [InlineData("norm.weight", "model.norm.weight")]
    [InlineData("output.weight", "lm_head.weight")]
    [InlineData("layers.0.attention.wq.weight", "model.layers.0.self_attn.q_proj.weight")]
    [InlineData("layers.0.attention.q_norm.weight", "model.layers.0.self_attn.q_norm.weight")]
    [InlineData("layers.3.attention.k_norm.weight", "model.layers.3.self_attn.k_norm.weight")]
    [InlineData("layers.1.attention.wk.weight", "model.layers.1.self_attn.k_proj.weight")]
    [InlineData("layers.12.attention.wv.weight", "model.layers.12.self_attn.v_proj.weight")]
    [InlineData("layers.3.attention.wo.weight", "model.layers.3.self_attn.o_proj.weight")]
    [InlineData("layers.0.attention_norm.weight", "model.layers.0.input_layernorm.weight")]
    [InlineData("layers.0.ffn_norm.weight", "model.layers.0.post_attention_layernorm.weight")]
    [InlineData("layers.0.feed_forward.w1.weight", "model.layers.0.mlp.gate_proj.weight")]
    [InlineData("layers.0.feed_forward.w2.weight", "model.layers.0.mlp.down_proj.weight")]
    [InlineData("layers.0.feed_forward.w3.weight", "model.layers.0.mlp.up_proj.weight")]
    [InlineData("layers.2.feed_forward.gate.weight", "model.layers.2.mlp.gate.weight")]
    [InlineData("layers.2.feed_forward.experts.3.w1.weight", "model.layers.2.mlp.experts.3.gate_proj.weight")]
    [InlineData("layers.2.feed_forward.experts.0.w2.weight", "model.layers.2.mlp.experts.0.down_proj.weight")]
    [InlineData("layers.2.feed_forward.shared_experts.w3.weight", "model.layers.2.mlp.shared_experts.up_proj.weight")]
    public void Names_MapBothWays(string miniMind, string transformers)
    {
        Assert.Equal(transformers, LlamaNames.ToTransformers(miniMind));
        Assert.Equal(miniMind, LlamaNames.ToMiniMind(transformers));
    }

    [Fact]
    public void NewerMiniMindSharedExpertList_MapsToTheOneSharedExpert() =>
        Assert.Equal("layers.0.feed_forward.shared_experts.w1.weight", LlamaNames.ToMiniMind("model.layers.0.mlp.shared_experts.0.gate_proj.weight"));

    [Theory]
    [InlineData("model.layers.0.self_attn.sinks.weight")]
    [InlineData("model.layers.0.self_attn.q_proj.bias")]
    [InlineData("model.rotary_emb.inv_freq")]
    public void TensorsWithoutACounterpart_MapToNull(string name) => Assert.Null(LlamaNames.ToMiniMind(name));

    [Fact]
    public void EveryParameterOfDenseAndMoEModels_RoundTripsThroughTheTransformersName()
    {
        foreach (var config in new[] { Fixture.TinyDenseConfig(), new MiniMindConfig { Dim = 32, NLayers = 2, NHeads = 4, VocabSize = 40, UseMoe = true, MaxSeqLen = 16 } })
        {
            using var model = new MiniMindModel(config);
            foreach (var name in model.state_dict().Keys)
            {
                var mapped = LlamaNames.ToTransformers(name);
                Assert.NotNull(mapped);
                Assert.Equal(name, LlamaNames.ToMiniMind(mapped!));
            }
        }
    }
}
