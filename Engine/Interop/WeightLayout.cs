namespace MiniMind.Engine.Interop;

/// <summary>Which state-dict naming (and rotary row order) a weights file uses.</summary>
public enum WeightLayout
{
    /// <summary>The original February-2025 MiniMind2 names (<c>tok_embeddings</c>, <c>layers.N.attention.wq</c>), interleaved rotary rows.</summary>
    MiniMind,

    /// <summary>transformers' Llama / the newer MiniMind names (<c>model.embed_tokens</c>, <c>self_attn.q_proj</c>), rotate-half rotary rows.</summary>
    Transformers,
}
