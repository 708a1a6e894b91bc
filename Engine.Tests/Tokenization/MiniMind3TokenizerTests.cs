using System.Text.Json;
using MiniMind.Engine.ChatTemplates;
using MiniMind.Engine.Tokenization;
using HfTokenizer = Tokenizers.DotNet.Tokenizer;

namespace MiniMind.Engine.Tests.Tokenization;

/// <summary>
/// The current original's tokenizer (minimind-3: bos &lt;|im_start|&gt;, eos &lt;|im_end|&gt;, pad &lt;|endoftext|&gt;, added tokens
/// for tool calls, tool responses and thinking) and its Qwen3-style chat template, against Hugging Face's tokenizers
/// (Rust, through Tokenizers.DotNet) and against Python Jinja2 renderings in transformers' environment
/// (Fixtures/reference/minimind3/chat_template.json).
/// </summary>
public sealed class MiniMind3TokenizerTests
{
    static string Dir => Fixture.Path("minimind3", "tokenizer");

    [Fact]
    public void SpecialTokens_AreTheCurrentOriginals()
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(Dir);

        Assert.Equal(6400, tokenizer.VocabSize);
        Assert.Equal(("<|im_start|>", 1), (tokenizer.BosToken, tokenizer.BosId));
        Assert.Equal(("<|im_end|>", 2), (tokenizer.EosToken, tokenizer.EosId));
        Assert.Equal(("<|endoftext|>", 0), (tokenizer.PadToken, tokenizer.PadId));
        Assert.Equal([21, 22, 25, 26], new[] { "<tool_call>", "</tool_call>", "<think>", "</think>" }.Select(t => tokenizer.TokenToId(t)!.Value));
    }

    [Fact]
    public void Encode_MatchesHuggingFace_OnMixedTextAndEveryRendering()
    {
        var ours = ByteLevelBpeTokenizer.Load(Dir);
        using var hf = new HfTokenizer(Path.Combine(Dir, "tokenizer.json"));
        var renderings = Fixture.Json("minimind3", "chat_template.json").GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("text").GetString()!);
        string[] marked = ["<tool_call>\n{\"name\": \"f\"}\n</tool_call>", "<think>\n想一想\n</think>\n\n答", "a<|im_start|>b<|im_end|>c", "<tool_response>x</tool_response>", "<|buffer1|><tts_pad>"];

        HuggingFaceCrossCheckTests.AssertSameEncodes(ours, hf, RandomText.Strings(400, seed: 3).Concat(renderings).Concat(marked).Concat(TestFiles.EncodingCases().Select(c => c.Text)));
    }

    public static TheoryData<int> Cases() => [.. Enumerable.Range(0, Fixture.Json("minimind3", "chat_template.json").GetProperty("cases").GetArrayLength())];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChatTemplate_RendersLikeTransformers(int index)
    {
        var tokenizer = ByteLevelBpeTokenizer.Load(Dir);
        var c = Fixture.Json("minimind3", "chat_template.json").GetProperty("cases")[index];
        var extra = new Dictionary<string, object?>();
        if (c.TryGetProperty("open_thinking", out var thinking)) extra["open_thinking"] = thinking.GetBoolean();

        var text = ChatTemplate.Parse(tokenizer.ChatTemplate!).RenderChat(
            c.GetProperty("messages"), c.GetProperty("add_generation_prompt").GetBoolean(), tokenizer.BosToken, tokenizer.EosToken,
            c.TryGetProperty("tools", out var tools) && tools.ValueKind != JsonValueKind.Null ? tools : null, extra);

        Assert.Equal(c.GetProperty("text").GetString(), text);
    }

    [Theory]
    [InlineData(true, "<|im_start|>assistant\n<think>\n", true)]
    [InlineData(false, "<|im_start|>assistant\n<think>\n\n</think>\n\n", false)]
    public void TheChatsThinkingSwitch_ReachesTheTemplatesOpenThinking(bool thinking, string ending, bool startsInReasoning)
    {
        var builder = new MiniMind.Engine.Chat.ChatPromptBuilder(ByteLevelBpeTokenizer.Load(Dir));

        var prompt = builder.Build([new MiniMind.Engine.Data.ChatMessage("user", "3*3?")], 512, thinking);

        Assert.EndsWith(ending, prompt.Text);
        Assert.Equal(startsInReasoning, prompt.StartsInReasoning);
    }
}
