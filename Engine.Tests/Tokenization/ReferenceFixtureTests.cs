using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Tokenization;

public class ReferenceFixtureTests
{
    readonly ByteLevelBpeTokenizer tokenizer = TestFiles.LoadSeed();

    [Fact]
    public void Encode_MatchesReferenceFixture()
    {
        foreach ((string text, int[] ids, _) in TestFiles.EncodingCases())
        {
            Assert.Equal(ids, tokenizer.Encode(text));
        }
    }

    [Fact]
    public void Decode_WithSpecialsKept_MatchesReferenceFixture()
    {
        foreach ((_, int[] ids, string decoded) in TestFiles.EncodingCases())
        {
            Assert.Equal(decoded, tokenizer.Decode(ids));
        }
    }

    [Fact]
    public void Load_ReadsSpecialTokensFromConfig()
    {
        Assert.Equal(6400, tokenizer.VocabSize);
        Assert.Equal(["<unk>", "<s>", "</s>"], tokenizer.SpecialTokens);
        Assert.Equal(("<s>", 1), (tokenizer.BosToken, tokenizer.BosId));
        Assert.Equal(("</s>", 2), (tokenizer.EosToken, tokenizer.EosId));
        Assert.Equal(("<unk>", 0), (tokenizer.PadToken, tokenizer.PadId));
        Assert.Equal(("<unk>", 0), (tokenizer.UnkToken, tokenizer.UnkId));
    }

    [Fact]
    public void Load_ReadsChatTemplate()
    {
        Assert.NotNull(tokenizer.ChatTemplate);
        Assert.StartsWith("{% if messages[0]['role'] == 'system' %}", tokenizer.ChatTemplate);
        Assert.Contains("你是 MiniMind，是一个有用的人工智能助手。", tokenizer.ChatTemplate);
    }

    [Fact]
    public void Load_AcceptsTokenizerJsonPath()
    {
        ByteLevelBpeTokenizer viaFile = ByteLevelBpeTokenizer.Load(TestFiles.SeedTokenizerJson);
        Assert.Equal(tokenizer.Encode("你好，世界！"), viaFile.Encode("你好，世界！"));
        Assert.Equal(1, viaFile.BosId);
    }

    [Fact]
    public void TokenToId_And_IdToToken_RoundTrip()
    {
        Assert.Equal(5134, tokenizer.TokenToId(tokenizer.IdToToken(5134)));
        Assert.Equal("<s>", tokenizer.IdToToken(1));
        Assert.Equal("Ġt", tokenizer.IdToToken(tokenizer.TokenToId("Ġt")!.Value));
        Assert.Null(tokenizer.TokenToId("no such token"));
    }

    [Fact]
    public void Decode_SkipSpecialTokens_DropsSpecials()
    {
        int[] ids = tokenizer.Encode("<s>user\n你好</s>");
        Assert.Equal(1, ids[0]);
        Assert.Equal(2, ids[^1]);
        Assert.Equal("user\n你好", tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void Encode_SpecialTokenStrings_MapToTheirIds()
    {
        Assert.Equal([1, 2, 0], tokenizer.Encode("<s></s><unk>"));
    }

    [Fact]
    public void EncodeBatch_EqualsEncodeOfEachText()
    {
        string[] texts = RandomText.Strings(300, seed: 7).ToArray();
        int[][] batch = tokenizer.EncodeBatch(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(tokenizer.Encode(texts[i]), batch[i]);
        }
    }

    [Fact]
    public void Decode_UnknownId_ThrowsNamingTheId()
    {
        var error = Assert.Throws<ArgumentException>(() => tokenizer.Decode([5, 6400]));
        Assert.Contains("6400", error.Message);
        Assert.Throws<ArgumentException>(() => tokenizer.IdToToken(-1));
    }

    [Fact]
    public void Decode_InvalidUtf8_BecomesReplacementChar()
    {
        // 0xE4 starts a 3-byte sequence that "a" interrupts.
        int leadByte = tokenizer.TokenToId(ByteLevelAlphabet.ToChar(0xE4).ToString())!.Value;
        Assert.Equal("\uFFFDa", tokenizer.Decode([leadByte, tokenizer.TokenToId("a")!.Value]));
    }
}
