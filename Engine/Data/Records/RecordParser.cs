using System.Text.Json;

namespace MiniMind.Engine.Data;

/// <summary>
/// Parses and validates one jsonl line as a record of a <see cref="DatasetKind"/>. Never throws on bad data:
/// the first thing wrong comes back as a <see cref="DataProblem"/> naming file, line and field.
/// </summary>
public static class RecordParser
{
    /// <summary>Parses <paramref name="utf8"/> (line <paramref name="line"/>, 1-based, of <paramref name="file"/>).</summary>
    /// <returns>The record, or null with <paramref name="problem"/> set; a blank line gives null with no problem.</returns>
    public static DataRecord? Parse(ReadOnlyMemory<byte> utf8, DatasetKind kind, string file, long line, out DataProblem? problem)
    {
        problem = null;
        utf8 = WithoutBom(utf8);
        if (IsBlank(utf8.Span)) return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException e)
        {
            problem = new DataProblem(file, line, "$", $"malformed JSON ({FirstSentence(e.Message)})");
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            string? failure;
            string field;
            DataRecord? record;
            if (root.ValueKind != JsonValueKind.Object)
            {
                (record, field, failure) = (null, "$", $"expected a JSON object, found {Describe(root.ValueKind)}");
            }
            else
            {
                try
                {
                    (record, field, failure) = kind switch
                    {
                        DatasetKind.Pretrain => ParsePretrain(root),
                        DatasetKind.Sft => ParseConversation(root, reasoning: false),
                        DatasetKind.Reasoning => ParseConversation(root, reasoning: true),
                        DatasetKind.Dpo => ParsePreference(root),
                        DatasetKind.Prompts => ParsePrompt(root),
                        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
                    };
                }
                catch (InvalidOperationException e)
                {
                    // JsonDocument checks the structure, not the text inside strings: reading one with invalid UTF-8 bytes or
                    // an escaped lone surrogate (\ud800) throws (the parsers check every value's kind before reading it)
                    (record, field, failure) = (null, "$", e.Message.Contains("UTF-8", StringComparison.Ordinal) || e.InnerException is System.Text.DecoderFallbackException
                        ? "invalid UTF-8 in a string value"
                        : "a string value is not valid Unicode (a lone surrogate escape such as \\ud800)");
                }
            }
            if (failure is not null) problem = new DataProblem(file, line, field, failure);
            return failure is null ? record : null;
        }
    }

    /// <summary>The line without a UTF-8 byte order mark (an editor may write one at the start of a file).</summary>
    public static ReadOnlyMemory<byte> WithoutBom(ReadOnlyMemory<byte> utf8) =>
        utf8.Span.StartsWith("\uFEFF"u8) ? utf8[3..] : utf8;

    static (DataRecord?, string, string?) ParsePretrain(JsonElement root)
    {
        if (!root.TryGetProperty("text", out var text)) return (null, "text", "missing field");
        if (text.ValueKind != JsonValueKind.String) return (null, "text", $"expected a string, found {Describe(text.ValueKind)}");
        var value = text.GetString()!;
        if (string.IsNullOrWhiteSpace(value)) return (null, "text", "empty text");
        return (new PretrainRecord(value), "", null);
    }

    static (DataRecord?, string, string?) ParseConversation(JsonElement root, bool reasoning)
    {
        var (messages, field, failure) = ParseMessages(root, "conversations", reasoning);
        return (messages is null ? null : new ConversationRecord(messages), field, failure);
    }

    static (DataRecord?, string, string?) ParsePreference(JsonElement root)
    {
        var (chosen, chosenField, chosenFailure) = ParseMessages(root, "chosen", reasoning: false);
        if (chosen is null) return (null, chosenField, chosenFailure);
        var (rejected, rejectedField, rejectedFailure) = ParseMessages(root, "rejected", reasoning: false);
        if (rejected is null) return (null, rejectedField, rejectedFailure);
        return (new PreferenceRecord(chosen, rejected), "", null);
    }

    /// <summary>
    /// A prompt and what checks its completions. The prompt: <c>"prompt"</c> (or <c>"question"</c>) as the user's message, or
    /// <c>"messages"</c> (or <c>"conversations"</c>) ending with a user turn, or with an assistant turn that is dropped as the
    /// current original's RLAIF and agent-RL datasets drop it (<c>conversations[:-1]</c>); the system turn may offer
    /// <c>tools</c>. The check: <c>"answer"</c> (a reference answer), or <c>"gt"</c> (the agent-RL data's list of facts the
    /// final text must hold), or neither (the RLAIF data: the original scores those with a reward model, so here only the
    /// rewards that need no reference can).
    /// </summary>
    static (DataRecord?, string, string?) ParsePrompt(JsonElement root)
    {
        var answer = "";
        if (root.TryGetProperty("answer", out var answerField))
        {
            if (answerField.ValueKind != JsonValueKind.String) return (null, "answer", $"expected a string, found {Describe(answerField.ValueKind)}");
            if (string.IsNullOrWhiteSpace(answerField.GetString())) return (null, "answer", "empty answer");
            answer = answerField.GetString()!;
        }
        List<string> facts = [];
        if (root.TryGetProperty("gt", out var gt) && gt.ValueKind != JsonValueKind.Null)
        {
            var index = 0;
            foreach (var item in gt.ValueKind == JsonValueKind.Array ? gt.EnumerateArray() : Enumerable.Repeat(gt, 1))
            {
                var at = gt.ValueKind == JsonValueKind.Array ? $"gt[{index}]" : "gt";
                index++;
                if (item.ValueKind is not (JsonValueKind.String or JsonValueKind.Number)) return (null, at, $"expected a string or a number, found {Describe(item.ValueKind)}");
                var text = item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText();
                if (string.IsNullOrWhiteSpace(text)) return (null, at, "empty fact");
                facts.Add(text);
            }
        }
        foreach (var name in new[] { "prompt", "question" })
        {
            if (!root.TryGetProperty(name, out var text)) continue;
            if (text.ValueKind != JsonValueKind.String) return (null, name, $"expected a string, found {Describe(text.ValueKind)}");
            if (string.IsNullOrWhiteSpace(text.GetString())) return (null, name, "empty prompt");
            if (answer.Length == 0 && facts.Count == 0) return (null, "answer", "missing field (a prompt's reference answer)");
            return (new PromptRecord([ChatMessage.User(text.GetString()!)], answer) { Facts = facts }, "", null);
        }
        var list = root.TryGetProperty("messages", out _) ? "messages" : root.TryGetProperty("conversations", out _) ? "conversations" : null;
        if (list is null) return (null, "prompt", "missing field (or \"messages\")");
        var (messages, field, failure) = ParseMessages(root, list, reasoning: false, prompt: true);
        if (messages is null) return (null, field, failure);
        return (new PromptRecord(messages, answer) { Facts = facts }, "", null);
    }

    /// <summary>
    /// A conversation: an optional leading system turn (which may offer <c>tools</c>), then a user turn, then turns
    /// alternating between the user and the assistant, ending with an assistant turn (the turn the model learns). An
    /// assistant turn may call tools (<c>tool_calls</c>, then content may be empty); the <c>tool</c> turns after it carry
    /// the results, and the assistant speaks again after them. Every assistant turn says or calls something.
    /// </summary>
    /// <remarks>
    /// With <paramref name="prompt"/> (a prompt record) the list ends where the model starts to answer: with a user or tool
    /// turn, or with an assistant turn that is dropped (it may be empty: RLAIF data leaves it so).
    /// </remarks>
    static (List<ChatMessage>?, string, string?) ParseMessages(JsonElement root, string name, bool reasoning, bool prompt = false)
    {
        if (!root.TryGetProperty(name, out var array)) return (null, name, "missing field");
        if (array.ValueKind != JsonValueKind.Array) return (null, name, $"expected an array of messages, found {Describe(array.ValueKind)}");
        var messages = new List<ChatMessage>(array.GetArrayLength());
        var index = 0;
        var count = array.GetArrayLength();
        foreach (var item in array.EnumerateArray())
        {
            var at = $"{name}[{index}]";
            if (prompt && index == count - 1 && index > 0 && item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty("role", out var lastRole) && lastRole.ValueKind == JsonValueKind.String && lastRole.GetString() == "assistant")
                break; // the answer slot the model fills
            if (item.ValueKind != JsonValueKind.Object) return (null, at, $"expected a message object, found {Describe(item.ValueKind)}");
            if (!item.TryGetProperty("role", out var role)) return (null, $"{at}.role", "missing field");
            if (role.ValueKind != JsonValueKind.String) return (null, $"{at}.role", $"expected a string, found {Describe(role.ValueKind)}");
            if (!item.TryGetProperty("content", out var content)) return (null, $"{at}.content", "missing field");
            // a tool-calling assistant turn may have content null (OpenAI's shape); any other turn needs its text
            bool calls = item.TryGetProperty("tool_calls", out var callsField) && callsField.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
            if (content.ValueKind != JsonValueKind.String && !(content.ValueKind == JsonValueKind.Null && role.GetString() == "assistant" && calls))
                return (null, $"{at}.content", $"expected a string, found {Describe(content.ValueKind)}");
            string? thinking = null;
            if (item.TryGetProperty("reasoning_content", out var reasoningContent) && reasoningContent.ValueKind != JsonValueKind.Null)
            {
                if (reasoningContent.ValueKind != JsonValueKind.String) return (null, $"{at}.reasoning_content", $"expected a string, found {Describe(reasoningContent.ValueKind)}");
                thinking = reasoningContent.GetString();
            }
            var (toolCalls, callsProblem) = JsonList(item, "tool_calls", ToolCallProblem);
            if (callsProblem is not null) return (null, $"{at}.tool_calls", callsProblem);
            var (tools, toolsProblem) = JsonList(item, "tools", ToolProblem);
            if (toolsProblem is not null) return (null, $"{at}.tools", toolsProblem);
            var message = new ChatMessage(role.GetString()!, content.ValueKind == JsonValueKind.String ? content.GetString()! : "", thinking, toolCalls, tools);
            var previous = messages.Count == 0 ? null : messages[^1];
            string? order = message.Role switch
            {
                "system" => index == 0 ? null : "a system turn may only come first",
                "user" => previous is null || previous.Role is "system" or "assistant" ? null : $"roles out of order: expected assistant, found user",
                "assistant" => previous?.Role is "user" or "tool" ? null : "roles out of order: expected user, found assistant",
                "tool" => previous?.Role == "tool" || previous?.ToolCalls is not null ? null : "a tool turn must follow an assistant turn that calls tools (tool_calls) or another tool turn",
                _ => $"unknown role '{message.Role}' (expected system, user, assistant or tool)",
            };
            if (order is not null) return (null, $"{at}.role", order);
            if (message.Tools is not null && message.Role != "system") return (null, $"{at}.tools", "only the system turn offers tools");
            if (message.ToolCalls is not null && message.Role != "assistant") return (null, $"{at}.tool_calls", "only an assistant turn calls tools");
            if (message.Role == "assistant")
            {
                if (string.IsNullOrWhiteSpace(message.Content) && string.IsNullOrWhiteSpace(message.ReasoningContent) && message.ToolCalls is null)
                    return (null, $"{at}.content", "empty assistant turn");
                if (reasoning && message.ReasoningContent is null && !HasThinkAnswerTags(message.Content))
                {
                    return (null, $"{at}.content", "reasoning data needs <think>...</think> then <answer>...</answer> in each assistant turn");
                }
            }
            messages.Add(message);
            index++;
        }
        if (messages.Count == 0) return (null, name, "empty conversation");
        if (prompt)
            return messages[^1].Role is "user" or "tool" ? (messages, "", null)
                : (null, name, "must end with a user message (the prompt the model answers), or with the assistant turn it fills");
        if (messages[^1].Role != "assistant") return (null, name, $"the conversation ends with a {messages[^1].Role} turn, not an assistant turn");
        return (messages, "", null);
    }

    /// <summary>
    /// A field holding a JSON array, written as the array or as a JSON string of it (the current original's data does
    /// both): the compact JSON text, or the problem. An absent, null or empty field is none.
    /// </summary>
    static (string? Json, string? Problem) JsonList(JsonElement item, string field, Func<JsonElement, int, string?> check)
    {
        if (!item.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return (null, null);
        JsonDocument? parsed = null;
        try
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                var text = value.GetString()!;
                if (string.IsNullOrWhiteSpace(text)) return (null, null);
                try
                {
                    parsed = JsonDocument.Parse(text);
                }
                catch (JsonException e)
                {
                    return (null, $"not valid JSON ({FirstSentence(e.Message)})");
                }
                value = parsed.RootElement;
            }
            if (value.ValueKind == JsonValueKind.Object) // one call or tool alone
                return check(value, 0) is { } single ? (null, single) : ($"[{value.GetRawText()}]", null);
            if (value.ValueKind != JsonValueKind.Array) return (null, $"expected an array (or a JSON string of one), found {Describe(value.ValueKind)}");
            if (value.GetArrayLength() == 0) return (null, null);
            var i = 0;
            foreach (var entry in value.EnumerateArray())
                if (check(entry, i++) is { } problem) return (null, problem);
            return (value.GetRawText(), null);
        }
        finally
        {
            parsed?.Dispose();
        }
    }

    /// <summary>A call: <c>{"name", "arguments"}</c>, or the same inside <c>function</c> (OpenAI's shape).</summary>
    static string? ToolCallProblem(JsonElement call, int i)
    {
        if (call.ValueKind != JsonValueKind.Object) return $"[{i}]: expected a call object, found {Describe(call.ValueKind)}";
        var body = call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object ? function : call;
        if (!body.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(name.GetString()))
            return $"[{i}]: the call names no function (name)";
        if (body.TryGetProperty("arguments", out var arguments) && arguments.ValueKind is not (JsonValueKind.Object or JsonValueKind.String or JsonValueKind.Null))
            return $"[{i}].arguments: expected an object or a JSON string, found {Describe(arguments.ValueKind)}";
        return null;
    }

    /// <summary>An offered tool: an object with a name (at its top or inside <c>function</c>).</summary>
    static string? ToolProblem(JsonElement tool, int i)
    {
        if (tool.ValueKind != JsonValueKind.Object) return $"[{i}]: expected a tool object, found {Describe(tool.ValueKind)}";
        var body = tool.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object ? function : tool;
        return body.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? null : $"[{i}]: the tool has no name";
    }

    /// <summary>Whether <paramref name="content"/> holds <c>&lt;think&gt;…&lt;/think&gt;</c> followed by <c>&lt;answer&gt;…&lt;/answer&gt;</c>.</summary>
    public static bool HasThinkAnswerTags(string content)
    {
        var think = content.IndexOf("<think>", StringComparison.Ordinal);
        var thinkEnd = think < 0 ? -1 : content.IndexOf("</think>", think, StringComparison.Ordinal);
        var answer = thinkEnd < 0 ? -1 : content.IndexOf("<answer>", thinkEnd, StringComparison.Ordinal);
        return answer >= 0 && content.IndexOf("</answer>", answer, StringComparison.Ordinal) >= 0;
    }

    static bool IsBlank(ReadOnlySpan<byte> utf8)
    {
        foreach (var b in utf8)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        }
        return true;
    }

    static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut < 0 ? message.TrimEnd('.') : message[..cut];
    }
}
