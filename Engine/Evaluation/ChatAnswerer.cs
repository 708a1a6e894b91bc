using MiniMind.Engine.Chat;
using MiniMind.Engine.Data;
using MiniMind.Engine.Generation;
using MiniMind.Engine.Model;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Evaluation;

/// <summary>
/// Answers a question the way a user chatting with the model would see it: the chat service's prompt
/// (<see cref="ChatPromptBuilder"/>: the tokenizer's template with a generation prompt), greedy decoding
/// with the KV cache until eos, specials stripped. The caller keeps owning the model.
/// </summary>
public sealed class ChatAnswerer(MiniMindModel model, ByteLevelBpeTokenizer tokenizer, int maxNewTokens = 64)
{
    readonly ChatPromptBuilder prompts = new(tokenizer);

    public string Answer(string question, CancellationToken cancel = default) => Answer([ChatMessage.User(question)], null, cancel);

    /// <summary>The answer to a conversation, with <paramref name="tools"/> (a JSON array) offered when given; the prompt leaves room for the answer.</summary>
    public string Answer(IReadOnlyList<ChatMessage> messages, string? tools, CancellationToken cancel = default)
    {
        ChatPrompt prompt;
        try
        {
            prompt = prompts.Build(messages, tools is null ? model.Config.MaxSeqLen - 1 : model.Config.MaxSeqLen - maxNewTokens, tools: tools);
        }
        catch (ChatRequestException)
        {
            return ""; // a question longer than the context cannot be answered: scored as wrong
        }
        var tokens = TokenGenerator.Generate(model, new GenerationRequest
        {
            Prompts = [prompt.Ids],
            MaxNewTokens = Math.Min(maxNewTokens, model.Config.MaxSeqLen - prompt.Ids.Count),
            EosId = tokenizer.EosId,
        }, cancel)[0];
        return tokenizer.Decode(tokens.Select(t => (int)t), skipSpecialTokens: true).Trim();
    }
}
