using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniMind.Engine.Model;

/// <summary>
/// The token embedding, tied to the output projection as in MiniMind2
/// (<c>self.tok_embeddings.weight = self.output.weight</c>): it holds the output Linear's weight
/// (vocab, dim) under its own state-dict name, so both <c>tok_embeddings.weight</c> and
/// <c>output.weight</c> appear, as in the seed's checkpoints.
/// </summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    Parameter weight;

    public TokenEmbedding(Parameter tiedWeight) : base(nameof(TokenEmbedding))
    {
        weight = tiedWeight;
        ConditionallyRegisterParameter("weight", weight);
    }

    public Parameter Weight => weight;

    /// <summary>Holds <paramref name="tiedWeight"/> again (after a move to another device or dtype replaced the tensors).</summary>
    internal void Tie(Parameter tiedWeight)
    {
        weight = tiedWeight;
        ConditionallyRegisterParameter("weight", weight);
    }

    /// <summary>The working copy forward reads instead of the weight (see <see cref="Projection.Working"/>); null: the weight.</summary>
    internal Tensor? Working { get; set; }

    /// <summary>ids (B, T) int64 -> (B, T, dim).</summary>
    public override Tensor forward(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var source = Working ?? weight;
        var flat = source.index_select(0, ids.reshape(-1));
        return flat.view(ids.shape[0], ids.shape[1], source.shape[1]).MoveToOuterDisposeScope();
    }
}
