using MiniMind.Engine.ChatTemplates;
using MiniMind.Engine.Tokenization;

namespace MiniMind.Engine.Data;

/// <summary>Renders conversations with the tokenizer's chat template and tokenizes them; knows the turn markers for labelling.</summary>
public sealed class ConversationEncoder
{
    readonly ChatTemplate template;
    readonly ByteLevelBpeTokenizer tokenizer;

    public ConversationEncoder(ByteLevelBpeTokenizer tokenizer)
    {
        this.tokenizer = tokenizer;
        var source = tokenizer.ChatTemplate
            ?? throw new InvalidDataException("the tokenizer has no chat_template (tokenizer_config.json): conversations cannot be rendered");
        template = ChatTemplate.Parse(source);
        Markers = ChatMarkers.Derive(template, tokenizer.Encode, tokenizer.BosToken, tokenizer.EosToken);
    }

    public ChatMarkers Markers { get; }

    /// <summary>The conversation as the template renders it (no generation prompt: the last turn is the assistant's).</summary>
    public string Render(IReadOnlyList<ChatMessage> messages)
    {
        var list = new List<object?>(messages.Count);
        List<object?>? tools = null;
        foreach (var m in messages)
        {
            var item = new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content };
            if (m.ReasoningContent is not null) item["reasoning_content"] = m.ReasoningContent;
            if (m.ToolCalls is not null) item["tool_calls"] = ValueConversion.FromJsonText(m.ToolCalls);
            // as the current original's SFTDataset: the system turn's tools go to the template's tools argument
            if (m.Tools is not null && m.Role == "system") tools = ValueConversion.FromJsonText(m.Tools) as List<object?>;
            list.Add(item);
        }
        return template.RenderChat(list, addGenerationPrompt: false, tokenizer.BosToken, tokenizer.EosToken, tools);
    }

    public int[] Encode(IReadOnlyList<ChatMessage> messages) => tokenizer.Encode(Render(messages));

    /// <summary>The tokens of line <paramref name="line"/>'s conversation under <paramref name="processing"/> (see <see cref="ChatProcessing"/>).</summary>
    public int[] Encode(IReadOnlyList<ChatMessage> messages, ChatProcessing? processing, long line, int part = 0, bool mixSystemPrompt = true)
    {
        if (processing is null || processing.IsNone) return Encode(messages);
        var prepared = mixSystemPrompt ? processing.Prepare(messages, line) : messages;
        return tokenizer.Encode(processing.Finish(Render(prepared), line, part));
    }
}
