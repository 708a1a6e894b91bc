using MiniMind.Engine.Interop.Gguf;
using MiniMind.Engine.Model;
using Xunit.Abstractions;

namespace MiniMind.Engine.Tests.Interop.Gguf;

/// <summary>
/// The GGUF export loaded by a real llama.cpp (LLamaSharp's CPU build, in-process) against the studio's own engine:
/// token ids on a corpus, logits, greedy continuations, 8-bit agreement, and negative controls that show the check
/// fails for the two mistakes that are easy to make (q/k rows in the other rotary layout, the wrong pre-tokenizer).
/// </summary>
public sealed class LlamaCppAgreementTests(GgufModels models, ITestOutputHelper output) : IClassFixture<GgufModels>
{
    static readonly string[] Questions =
    [
        "Who keeps a goat?", "小明怎么去学校？", "What does Bruno Castell bake?", "Tell me about the river.", "春天来了吗？", "Count: 1, 2, 3",
    ];

    [Fact]
    public void TokenIds_EqualTheStudiosOnOverAThousandStrings()
    {
        var corpus = TokenizationCorpus.Strings();
        using var llama = LlamaCppModel.Load(models.Gguf(models.RandomDense, GgmlType.F32));
        var differing = corpus.Where(text => !llama.Tokenize(text).SequenceEqual(models.Tokenizer.Encode(text))).ToList();

        Assert.True(corpus.Count >= 1000, $"{corpus.Count} strings");
        Assert.True(differing.Count == 0, $"{differing.Count} of {corpus.Count} strings tokenize differently, e.g. {string.Join(" | ", differing.Take(5).Select(d => $"\"{d}\""))}");
        output.WriteLine($"{corpus.Count} strings, {corpus.Sum(t => models.Tokenizer.Encode(t).Length)} tokens: all equal");
    }

    [Fact]
    public void WrongPreTokenizer_IsCaughtByTheCorpus()
    {
        var corpus = TokenizationCorpus.Strings();
        using var llama = LlamaCppModel.Load(models.Gguf(models.RandomDense, GgmlType.F32, new GgufTestKnobs(PreTokenizer: "default")));
        int differing = corpus.Count(text => !llama.Tokenize(text).SequenceEqual(models.Tokenizer.Encode(text)));

        Assert.True(differing > 0, "llama.cpp's default pre-tokenizer should split some strings differently");
        output.WriteLine($"pre-tokenizer \"default\": {differing} of {corpus.Count} strings differ");
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("moe")]
    [InlineData("qwen3")]
    [InlineData("qwen3moe")]
    public void F32Logits_MatchTheStudiosAtEveryPosition(string which)
    {
        var model = models.ByName(which);
        using var llama = LlamaCppModel.Load(models.Gguf(model, GgmlType.F32));
        var ids = models.Tokenizer.Encode(TokenizationCorpus.Chat(Questions[0]) + "Alice Brant keeps a goat named Pepper.");
        var studio = GgufModels.StudioLogits(model, ids);
        var cpp = llama.AllLogits(ids);

        float scale = studio.Max(r => r.Max(MathF.Abs)), worst = studio.Zip(cpp).Max(p => p.First.Zip(p.Second).Max(q => MathF.Abs(q.First - q.Second)));
        // float32 on both sides, summed in different orders: differences of a few ulps of the largest logit
        Assert.True(worst <= 1e-4f * Math.Max(1f, scale), $"{which}: largest logit difference {worst} (largest logit {scale})");
        output.WriteLine($"{which}: {ids.Length} positions, largest difference {worst:g3} against largest logit {scale:g3}");
    }

    [Theory]
    [InlineData("trained")]
    [InlineData("qwen3")]
    public void PermutedQueryKeyRows_AreCaught(string which)
    {
        var model = models.ByName(which);
        using var llama = LlamaCppModel.Load(models.Gguf(model, GgmlType.F32, new GgufTestKnobs(PermuteQk: true)));
        var ids = models.Tokenizer.Encode(TokenizationCorpus.Chat(Questions[0]));
        var studio = GgufModels.StudioLogits(model, ids);
        var cpp = llama.AllLogits(ids);

        float worst = studio.Zip(cpp).Max(p => p.First.Zip(p.Second).Max(q => MathF.Abs(q.First - q.Second)));
        Assert.True(worst > 0.1f, $"q/k rows in the rotate-half layout should change the logits (largest difference {worst})");
        if (which == "trained") Assert.NotEqual(Greedy(models.Trained, ids, 50), llama.Greedy(ids, 50));
    }

    [Theory]
    [InlineData("trained", GgmlType.F32)]
    [InlineData("trained", GgmlType.F16)]
    [InlineData("dense", GgmlType.F32)]
    [InlineData("moe", GgmlType.F32)]
    [InlineData("moe", GgmlType.F16)]
    [InlineData("qwen3", GgmlType.F32)]
    [InlineData("qwen3", GgmlType.F16)]
    [InlineData("qwen3moe", GgmlType.F32)]
    public void GreedyContinuationsOf50Tokens_EqualTheStudios(string which, GgmlType type)
    {
        var model = models.ByName(which);
        using var llama = LlamaCppModel.Load(models.Gguf(model, type));
        foreach (var question in Questions)
        {
            var prompt = models.Tokenizer.Encode(TokenizationCorpus.Chat(question));
            var studio = Greedy(model, prompt, 50);
            var cpp = llama.Greedy(prompt, 50);
            int agree = studio.Zip(cpp).TakeWhile(p => p.First == p.Second).Count();
            if (agree < studio.Count)
            {
                // the only accepted difference: a choice between two tokens the studio itself scores as tied
                // within the weight type's rounding (random weights give near-uniform logits); anything else fails
                var logits = GgufModels.StudioLogits(model, [.. prompt, .. studio.Take(agree)])[^1];
                float gap = logits[studio[agree]] - logits[cpp[agree]];
                float tolerance = type == GgmlType.F32 ? 1e-4f : 2e-2f;
                Assert.True(gap <= tolerance * Math.Max(1f, logits.Max(MathF.Abs)),
                    $"{which} {type} \"{question}\": llama.cpp leaves the studio's greedy path at token {agree} of 50 ({cpp[agree]} for {studio[agree]}, studio gap {gap})");
                output.WriteLine($"{which} {type} \"{question}\": near-tie at token {agree} (studio gap {gap:g3})");
            }
            else output.WriteLine($"{which} {type} \"{question}\": 50 of 50 equal");
        }
    }

    [Fact]
    public void Q8_0_AgreesWithTheStudiosNextTokenAtLeast95Percent()
    {
        using var llama = LlamaCppModel.Load(models.Gguf(models.Trained, GgmlType.Q8_0));
        int agree = 0, total = 0;
        foreach (var text in GgufModels.TrainingTexts.Concat(Questions.Select(TokenizationCorpus.Chat)))
        {
            var ids = models.Tokenizer.Encode(text);
            var studio = GgufModels.StudioLogits(models.Trained, ids);
            var cpp = llama.AllLogits(ids);
            for (int i = 0; i < ids.Length; i++, total++)
                if (LlamaCppModel.ArgMax(studio[i]) == LlamaCppModel.ArgMax(cpp[i])) agree++;
        }
        double share = (double)agree / total;
        output.WriteLine($"Q8_0 next-token agreement with the studio's fp32: {agree} of {total} positions ({share:P1})");
        Assert.True(share >= 0.95, $"Q8_0 agrees on {agree} of {total} next tokens ({share:P1})");
    }

    [Fact]
    public void Metadata_CarriesTheTemplateIdsAndContext()
    {
        using var llama = LlamaCppModel.Load(models.Gguf(models.RandomDense, GgmlType.F16));
        var m = llama.Metadata;

        Assert.Equal("llama", m["general.architecture"]);
        Assert.Equal(models.RandomDense.Config.MaxSeqLen.ToString(), m["llama.context_length"]);
        Assert.Equal(("1", "2"), (m["tokenizer.ggml.bos_token_id"], m["tokenizer.ggml.eos_token_id"]));
        Assert.Equal("gpt-2", m["tokenizer.ggml.pre"]);
        Assert.Equal(models.Tokenizer.ChatTemplate, m["tokenizer.chat_template"]);
        Assert.Equal(6400, llama.VocabSize);
        using var moe = LlamaCppModel.Load(models.Gguf(models.RandomMoe, GgmlType.F16));
        Assert.Equal("bailingmoe", moe.Metadata["general.architecture"]);
        using var qwen3 = LlamaCppModel.Load(models.Gguf(models.RandomQwen3, GgmlType.F16));
        Assert.Equal(("qwen3", "0.000001"), (qwen3.Metadata["general.architecture"], qwen3.Metadata["qwen3.attention.layer_norm_rms_epsilon"]));
        using var qwen3Moe = LlamaCppModel.Load(models.Gguf(models.RandomQwen3Moe, GgmlType.F16));
        Assert.Equal(("qwen3moe", "1"), (qwen3Moe.Metadata["general.architecture"], qwen3Moe.Metadata["qwen3moe.expert_used_count"]));
    }

    static List<int> Greedy(MiniMindModel model, IReadOnlyList<int> prompt, int count) =>
        [.. MiniMind.Engine.Generation.TokenGenerator.Generate(model, new() { Prompts = [[.. prompt.Select(i => (long)i)]], MaxNewTokens = count, IgnoreEos = true })[0].Select(i => (int)i)];
}
