using System.Text.Json;

namespace MiniMind.Engine.ChatTemplates;

/// <summary>
/// A parsed HuggingFace chat template (the Jinja <c>chat_template</c> of tokenizer_config.json),
/// rendered with the same environment settings as transformers' <c>apply_chat_template</c>.
/// </summary>
public sealed class ChatTemplate
{
    readonly IReadOnlyList<Node> nodes;

    ChatTemplate(string source, IReadOnlyList<Node> nodes)
    {
        Source = source;
        this.nodes = nodes;
    }

    public string Source { get; }

    /// <summary>Parses a template; throws <see cref="TemplateException"/> naming the bad construct and its line:column.</summary>
    public static ChatTemplate Parse(string source) => new(source, Parser.Parse(source));

    /// <summary>
    /// Renders with the given variables: strings, booleans, numbers, null, lists, string-keyed
    /// dictionaries, <see cref="JsonElement"/> or <see cref="System.Text.Json.Nodes.JsonNode"/>.
    /// </summary>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        var scope = new Scope(Globals.Create());
        foreach (var (name, value) in variables) scope.Set(name, ValueConversion.Normalize(value));
        return new Interpreter().Render(nodes, scope);
    }

    /// <summary>
    /// Renders a conversation the way <c>tokenizer.apply_chat_template(messages, tools=tools, tokenize=False, ...)</c> does:
    /// <c>tools</c> and <c>documents</c> are always defined (None when absent), special tokens only when given,
    /// and <paramref name="extra"/> adds template kwargs such as <c>enable_thinking</c>.
    /// </summary>
    public string RenderChat(
        IReadOnlyList<object?> messages,
        bool addGenerationPrompt,
        string? bosToken,
        string? eosToken,
        IReadOnlyList<object?>? tools = null,
        IReadOnlyDictionary<string, object?>? extra = null)
    {
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = messages,
            ["tools"] = tools,
            ["documents"] = null,
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        if (bosToken != null) variables["bos_token"] = bosToken;
        if (eosToken != null) variables["eos_token"] = eosToken;
        foreach (var (name, value) in extra ?? new Dictionary<string, object?>()) variables[name] = value;
        return Render(variables);
    }

    /// <summary><see cref="RenderChat(IReadOnlyList{object?}, bool, string?, string?, IReadOnlyList{object?}?, IReadOnlyDictionary{string, object?}?)"/> for a JSON array of messages.</summary>
    public string RenderChat(
        JsonElement messages,
        bool addGenerationPrompt,
        string? bosToken,
        string? eosToken,
        JsonElement? tools = null,
        IReadOnlyDictionary<string, object?>? extra = null)
    {
        var messageList = ValueConversion.FromJson(messages) as List<object?>
            ?? throw new ArgumentException("messages must be a JSON array", nameof(messages));
        var toolList = tools is { } json ? ValueConversion.FromJson(json) as List<object?> : null;
        return RenderChat(messageList, addGenerationPrompt, bosToken, eosToken, toolList, extra);
    }
}
