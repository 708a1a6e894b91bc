using System.Text.RegularExpressions;

using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Tokenization;

public class PreTokenizerTests
{
    static readonly Regex Gpt2Regex = new(Gpt2Splitter.Pattern, RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("don't won't it's I'm", new[] { "don", "'t", " won", "'t", " it", "'s", " I", "'m" })]
    [InlineData("   multiple     spaces   ", new[] { "  ", " multiple", "    ", " spaces", "   " })]
    [InlineData("a\n\nb", new[] { "a", "\n", "\n", "b" })]
    [InlineData("x ?'s 1+1", new[] { "x", " ?'", "s", " 1", "+", "1" })]
    [InlineData("混合mixed文本 123", new[] { "混合mixed文本", " 123" })]
    public void Gpt2Splitter_SplitsLikeTheRegex_OnKnownCases(string text, string[] expected)
    {
        Assert.Equal(expected, SplitByHand(text));
        Assert.Equal(expected, Gpt2Regex.Matches(text).Select(m => m.Value));
    }

    [Fact]
    public void Gpt2Splitter_MatchesRegex_OnThousandsOfRandomBmpStrings()
    {
        // BMP only: on astral chars .NET Regex sees surrogates, where HF's regex (and the splitter) see code points.
        foreach (string text in RandomText.Strings(5000, seed: 3, maxAtoms: 20).Where(t => !t.Any(char.IsSurrogate)))
        {
            Assert.Equal(Gpt2Regex.Matches(text).Select(m => m.Value), SplitByHand(text));
        }
    }

    [Fact]
    public void Gpt2Splitter_MatchesRegexSplitStage_IncludingAstralCodePoints()
    {
        var regexStage = new RegexSplitPreTokenizer(Gpt2Regex);
        foreach (string text in RandomText.Strings(5000, seed: 4, maxAtoms: 20))
        {
            var pieces = new List<ReadOnlyMemory<char>>();
            regexStage.Split(text.AsMemory(), pieces);
            Assert.Equal(pieces.Select(p => p.ToString()), SplitByHand(text));
        }
    }

    [Fact]
    public void Gpt2Splitter_TreatsAstralLettersAsLetters()
    {
        Assert.Equal(["a𠀀b", " 𝐀", " 𝟎𝟏", " 😀"], SplitByHand("a𠀀b 𝐀 𝟎𝟏 😀"));
    }

    [Fact]
    public void ByteLevelPreTokenizer_AddPrefixSpace_PrefixesEachPiece()
    {
        var stage = new ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: true);
        var pieces = new List<ReadOnlyMemory<char>>();
        stage.Split("hello world".AsMemory(), pieces);
        Assert.Equal([" hello", " world"], pieces.Select(p => p.ToString()));
    }

    static List<string> SplitByHand(string text)
    {
        var pieces = new List<ReadOnlyMemory<char>>();
        new ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: true).Split(text.AsMemory(), pieces);
        return pieces.Select(p => p.ToString()).ToList();
    }
}
