using MiniMind.Engine.ChatTemplates;
using MiniMind.Engine.Generation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Interop.Gguf;

/// <summary>What llama.cpp made of a GGUF file beside the studio: the prompt's token ids and the first greedy tokens of each.</summary>
public sealed record GgufCheckResult(string Prompt, IReadOnlyList<int> StudioPrompt, IReadOnlyList<int> LlamaCppPrompt,
    IReadOnlyList<int> StudioTokens, IReadOnlyList<int> LlamaCppTokens, string StudioText, string LlamaCppText)
{
    public bool PromptTokensEqual => StudioPrompt.SequenceEqual(LlamaCppPrompt);

    /// <summary>Leading continuation tokens the two engines agree on.</summary>
    public int Agreeing => StudioTokens.Zip(LlamaCppTokens).TakeWhile(p => p.First == p.Second).Count();

    public bool Equal => PromptTokensEqual && StudioTokens.SequenceEqual(LlamaCppTokens);

    public string Summary => "llama.cpp loaded the file: " + (Equal
        ? $"the prompt's {StudioPrompt.Count} token ids and the first {StudioTokens.Count} greedy tokens equal the studio's."
        : !PromptTokensEqual
            ? $"it tokenizes the prompt differently ({LlamaCppPrompt.Count} ids against the studio's {StudioPrompt.Count})."
            : $"the prompt's token ids equal the studio's; its greedy tokens follow the studio's for {Agreeing} of {StudioTokens.Count}, then differ.");
}

/// <summary>Loads a GGUF back through llama.cpp and compares it with the studio's model on one chat prompt.</summary>
public static class GgufCheck
{
    public const string DefaultQuestion = "Who are you?";

    public static GgufCheckResult FirstTokens(string ggufPath, MiniMindModel model, ByteLevelBpeTokenizer tokenizer, string question = DefaultQuestion, int tokens = 16)
    {
        var prompt = tokenizer.ChatTemplate is { } template
            ? ChatTemplate.Parse(template).RenderChat(
                [new Dictionary<string, object?> { ["role"] = "user", ["content"] = question }], addGenerationPrompt: true, tokenizer.BosToken, tokenizer.EosToken)
            : question;
        var studioPrompt = tokenizer.Encode(prompt);
        var studio = TokenGenerator.Generate(model, new GenerationRequest
        {
            Prompts = [[.. studioPrompt.Select(i => (long)i)]],
            MaxNewTokens = tokens,
            EosId = tokenizer.EosId,
        })[0].Select(i => (int)i).ToList();
        using var llama = LlamaCppModel.Load(ggufPath, threads: 1, contextSize: Math.Min(model.Config.MaxSeqLen, studioPrompt.Length + tokens + 8));
        var llamaPrompt = llama.Tokenize(prompt);
        var stop = tokenizer.EosId is int eos ? new HashSet<int> { eos } : null;
        var llamaTokens = llama.Greedy(llamaPrompt, tokens, stop);
        return new GgufCheckResult(prompt, studioPrompt, llamaPrompt, studio, llamaTokens,
            tokenizer.Decode(studio, skipSpecialTokens: true), tokenizer.Decode(llamaTokens, skipSpecialTokens: true));
    }
}
