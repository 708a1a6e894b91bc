using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Tests.Tokenization;

public class LoadErrorTests
{
    [Theory]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": 0}}}""", "model.merges")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]}}""", "model.merges[0]")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": "zero"}, "merges": []}}""", "model.vocab[\"a\"]")]
    [InlineData("""{"model": {"type": "WordPiece", "vocab": {}}}""", "model.type")]
    [InlineData("""{"added_tokens": [{"content": "<s>"}], "model": {"vocab": {"a": 0}, "merges": []}}""", "added_tokens[0].id")]
    [InlineData("""{"pre_tokenizer": {"type": "Whitespace"}, "model": {"vocab": {"a": 0}, "merges": []}}""", "pre_tokenizer.type")]
    [InlineData("""{"model": {"vocab": {"a": 0}, "merges": [["a"]]}}""", "model.merges[0]")]
    [InlineData("""{"model": """, "$")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {}, "merges": []}}""", "model.vocab")]
    public void Load_MalformedTokenizerJson_NamesFileAndField(string json, string field)
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        string path = Path.Combine(dir.Path, "tokenizer.json");
        File.WriteAllText(path, json);

        var error = Assert.Throws<TokenizerFormatException>(() => ByteLevelBpeTokenizer.Load(dir.Path));
        Assert.Equal(path, error.File);
        Assert.Equal(field, error.Field);
        Assert.Contains(path, error.Message);
        if (field != "$") Assert.Contains(field, error.Message); // the whole file at fault: its name says it
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        Assert.Throws<FileNotFoundException>(() => ByteLevelBpeTokenizer.Load(dir.Path));
    }

    [Fact]
    public void Load_BadConfigField_NamesConfigFileAndField()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        File.Copy(TestFiles.SeedTokenizerJson, Path.Combine(dir.Path, "tokenizer.json"));
        File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"), """{"bos_token": 5}""");

        var error = Assert.Throws<TokenizerFormatException>(() => ByteLevelBpeTokenizer.Load(dir.Path));
        Assert.Equal("bos_token", error.Field);
        Assert.EndsWith("tokenizer_config.json", error.File);
    }

    [Fact]
    public void Load_TemplateInChatTemplateJinja_IsUsedWhenTheConfigHasNone()
    {
        using TestFiles.TempDir dir = TestFiles.NewTempDir();
        File.Copy(TestFiles.SeedTokenizerJson, Path.Combine(dir.Path, "tokenizer.json"));
        File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"), """{"bos_token": "<s>", "eos_token": "</s>"}""");
        File.WriteAllText(Path.Combine(dir.Path, "chat_template.jinja"), "{% for m in messages %}{{ m.content }}{% endfor %}");

        var tokenizer = ByteLevelBpeTokenizer.Load(dir.Path);

        Assert.Equal("{% for m in messages %}{{ m.content }}{% endfor %}", tokenizer.ChatTemplate);
    }
}
