using MiniMind.Engine.Interop;
using static TorchSharp.torch;

namespace MiniMind.Engine.Tests.Interop;

public sealed class RotaryPermutationTests
{
    static RotaryPermutationTests() => _ = Fixture.Path();

    [Fact]
    public void InterleavedToHalf_PutsEachHeadsEvenRowsFirstThenItsOddRows()
    {
        // 2 heads of head_dim 4: interleaved pairs (0,1),(2,3) become rotate-half pairs (0,2),(1,3) within each head
        using var rows = arange(8, dtype: ScalarType.Float32).view(8, 1).expand(8, 3).contiguous();

        using var half = RotaryPermutation.InterleavedToHalf(rows, heads: 2);

        Assert.Equal(new float[] { 0, 2, 1, 3, 4, 6, 5, 7 }, half.select(1, 0).data<float>().ToArray());
    }

    [Fact]
    public void HalfToInterleaved_UndoesInterleavedToHalfExactly()
    {
        manual_seed(3);
        using var w = randn(64, 48);

        using var half = RotaryPermutation.InterleavedToHalf(w, heads: 4);
        using var back = RotaryPermutation.HalfToInterleaved(half, heads: 4);

        Assert.False(half.equal(w).all().item<bool>());
        Assert.True(back.equal(w).all().item<bool>());
    }

    [Fact]
    public void MatchesTransformersConversionScriptFormula()
    {
        // convert_llama_weights_to_hf.py: w.view(n_heads, dim1 // n_heads // 2, 2, dim2).transpose(1, 2).reshape(dim1, dim2)
        manual_seed(4);
        using var w = randn(32, 64);
        using var expected = w.view(2, 32 / 2 / 2, 2, 64).transpose(1, 2).reshape(32, 64);

        using var actual = RotaryPermutation.InterleavedToHalf(w, heads: 2);

        Assert.True(actual.equal(expected).all().item<bool>());
    }

    [Fact]
    public void RowsThatDoNotSplitIntoEvenHeads_AreRefused()
    {
        using var w = zeros(6, 4);
        var e = Assert.Throws<ArgumentException>(() => RotaryPermutation.InterleavedToHalf(w, heads: 2));
        Assert.Contains("6 rows", e.Message);
    }
}
