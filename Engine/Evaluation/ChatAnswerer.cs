using MiniMind.Engine.Generation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;
using MiniMind.Engine.Tokenization.Templates;

namespace MiniMind.Engine.Evaluation;

/// <summary>
/// Answers a question the way a user chatting with the model would see it: the tokenizer's chat template
/// with a generation prompt, greedy decoding with the KV cache until eos, specials stripped.
/// </summary>
public sealed class ChatAnswerer(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, int maxNewTokens = 64)
{
    readonly ChatTemplate template = ChatTemplate.Parse(tokenizer.ChatTemplate
        ?? throw new InvalidDataException("The tokenizer has no chat_template: questions cannot be put to the model as chat."));

    public string Answer(string question, CancellationToken cancel = default)
    {
        var prompt = template.RenderChat([new Dictionary<string, object?> { ["role"] = "user", ["content"] = question }],
            addGenerationPrompt: true, tokenizer.BosToken, tokenizer.EosToken);
        var ids = tokenizer.Encode(prompt).Select(i => (long)i).ToArray();
        var room = model.Config.MaxSeqLen - ids.Length;
        if (room <= 0) return "";
        var tokens = TokenGenerator.Generate(model, new GenerationRequest
        {
            Prompts = [ids],
            MaxNewTokens = Math.Min(maxNewTokens, room),
            EosId = tokenizer.EosId,
        }, cancel)[0];
        return tokenizer.Decode(tokens.Select(t => (int)t), skipSpecialTokens: true).Trim();
    }
}
