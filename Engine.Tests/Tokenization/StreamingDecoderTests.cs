using System.Text;

using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Tokenization;

public class StreamingDecoderTests
{
    readonly ByteLevelBpeTokenizer tokenizer = TestFiles.LoadSeed();

    [Fact]
    public void Feed_HoldsIncompleteUtf8_UntilTheCharacterCompletes()
    {
        // "😀" is not in the vocab: it encodes as byte tokens, so the first ones carry an incomplete sequence.
        int[] ids = tokenizer.Encode("😀");
        Assert.True(ids.Length > 1);
        StreamingDecoder decoder = tokenizer.CreateStreamingDecoder();
        string[] outputs = ids.Select(decoder.Feed).ToArray();

        Assert.All(outputs[..^1], o => Assert.Equal("", o));
        Assert.Equal("😀", outputs[^1]);
        Assert.Equal("", decoder.Flush());
    }

    [Fact]
    public void Feed_ConcatenatedOutput_EqualsDecode()
    {
        foreach ((string text, int[] ids, _) in TestFiles.EncodingCases())
        {
            StreamingDecoder decoder = tokenizer.CreateStreamingDecoder();
            var streamed = new StringBuilder();
            foreach (int id in ids)
            {
                streamed.Append(decoder.Feed(id));
            }
            streamed.Append(decoder.Flush());
            Assert.Equal(tokenizer.Decode(ids), streamed.ToString());
            Assert.Equal(text, streamed.ToString());
        }
    }

    [Fact]
    public void Flush_EmitsReplacementForATruncatedSequence()
    {
        int leadByte = tokenizer.TokenToId(ByteLevelAlphabet.ToChar(0xE4).ToString())!.Value;
        StreamingDecoder decoder = tokenizer.CreateStreamingDecoder();
        Assert.Equal("", decoder.Feed(leadByte));
        Assert.Equal("\uFFFD", decoder.Flush());
    }

    [Fact]
    public void Feed_SkipSpecialTokens_EmitsNothingForSpecials()
    {
        StreamingDecoder decoder = tokenizer.CreateStreamingDecoder(skipSpecialTokens: true);
        Assert.Equal("", decoder.Feed(tokenizer.BosId!.Value));
        Assert.Equal("你好", decoder.Feed(5134));
        Assert.Throws<ArgumentException>(() => decoder.Feed(99999));
    }
}
