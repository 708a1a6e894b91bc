using MiniMind.Engine.Tokenization;
using HfTokenizer = Tokenizers.DotNet.Tokenizer;

namespace MiniMind.Engine.Tests.Tokenization;
/// <summary>Compares encodes with HF tokenizers (Rust, through Tokenizers.DotNet) on random mixed strings.</summary>
public class HuggingFaceCrossCheckTests
{
    [Fact]
    public void Encode_MatchesHuggingFace_OnRandomMixedStrings()
    {
        ByteLevelBpeTokenizer ours = TestFiles.LoadSeed();
        using var hf = new HfTokenizer(TestFiles.SeedTokenizerJson);
        AssertSameEncodes(ours, hf, RandomText.Strings(400, seed: 1));
    }

    [Fact]
    public void Encode_MatchesHuggingFace_OnLongMixedDocuments()
    {
        ByteLevelBpeTokenizer ours = TestFiles.LoadSeed();
        using var hf = new HfTokenizer(TestFiles.SeedTokenizerJson);
        AssertSameEncodes(ours, hf, RandomText.Strings(100, seed: 9, maxAtoms: 400));
    }

    [Fact]
    public void Encode_MatchesHuggingFace_OnReferenceTexts()
    {
        ByteLevelBpeTokenizer ours = TestFiles.LoadSeed();
        using var hf = new HfTokenizer(TestFiles.SeedTokenizerJson);
        AssertSameEncodes(ours, hf, TestFiles.EncodingCases().Select(c => c.Text));
    }

    [Fact]
    public void Encode_QwenStyleTokenizer_MatchesHuggingFace()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        QwenStyleTokenizer.Write(dir.Path);
        ByteLevelBpeTokenizer ours = ByteLevelBpeTokenizer.Load(dir.Path);
        using var hf = new HfTokenizer(Path.Combine(dir.Path, "tokenizer.json"));
        AssertSameEncodes(ours, hf, RandomText.Strings(400, seed: 2));
        AssertSameEncodes(ours, hf, TestFiles.EncodingCases().Select(c => c.Text));
    }

    [Fact]
    public void Load_QwenStyleConfig_ResolvesObjectAndNullSpecials()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        QwenStyleTokenizer.Write(dir.Path);
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.Load(dir.Path);

        Assert.Equal(6403, tokenizer.VocabSize);
        Assert.Equal(("<|im_end|>", 6402), (tokenizer.EosToken, tokenizer.EosId));
        Assert.Equal(("<|endoftext|>", 6400), (tokenizer.PadToken, tokenizer.PadId));
        Assert.Equal([6401, 5134, 6402], tokenizer.Encode("<|im_start|>你好<|im_end|>"));
        Assert.Equal("<|im_start|>你好<|im_end|>", tokenizer.Decode([6401, 5134, 6402]));
        Assert.StartsWith("{% for message in messages %}", tokenizer.ChatTemplate);
    }

    internal static void AssertSameEncodes(ByteLevelBpeTokenizer ours, HfTokenizer hf, IEnumerable<string> texts)
    {
        foreach (string text in texts)
        {
            int[] expected = hf.Encode(text).Select(id => (int)id).ToArray();
            int[] actual = ours.Encode(text);
            Assert.True(expected.SequenceEqual(actual),
                $"Mismatch for {System.Text.Json.JsonSerializer.Serialize(text)}: HF [{string.Join(",", expected)}] ours [{string.Join(",", actual)}]");
        }
    }
}
