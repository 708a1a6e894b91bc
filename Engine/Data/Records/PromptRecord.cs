using System.Text;
using System.Text.Json;

namespace MiniMind.Engine.Data;

/// <summary>
/// One line of a reinforcement-learning prompt file: <c>{"prompt": "...", "answer": "..."}</c>, or the question as
/// <c>"question"</c> (a benchmark file reads as a prompt file) or as chat messages (<c>"messages"</c> or
/// <c>"conversations"</c>, ending with a user turn), and the reference answer the rewards compare against. <see cref="Line"/>:
/// its line in the file (1-based; 0 when not read from one).
/// </summary>
public sealed record PromptRecord(IReadOnlyList<ChatMessage> Messages, string Answer, int Line = 0)
{
    /// <summary>The last user turn: what a person asked.</summary>
    public string Question => Messages.Last(m => m.Role == "user").Content;

    /// <summary>Every record of <paramref name="path"/>; a bad line is an error naming the file, line and field.</summary>
    public static List<PromptRecord> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"data_path: prompt file not found: {path}", path);
        var records = new List<PromptRecord>();
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                records.Add(Parse(line) with { Line = number });
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                throw new InvalidDataException($"{path}:{number}: {e.Message} (a prompt record is {{\"prompt\": ..., \"answer\": ...}}, "
                    + "or \"question\" or \"messages\" in place of \"prompt\")", e);
            }
        }
        if (records.Count == 0) throw new InvalidDataException($"{path}: no prompt records.");
        return records;
    }

    public static PromptRecord Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("not a JSON object");
        string? Text(string name) => root.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw new FormatException($"\"{name}\" must be a string")
            : null;
        var answer = Text("answer") ?? throw new FormatException("\"answer\" is missing");
        if (answer.Trim().Length == 0) throw new FormatException("\"answer\" is empty");
        if ((Text("prompt") ?? Text("question")) is { } question)
        {
            if (question.Trim().Length == 0) throw new FormatException("the prompt is empty");
            return new PromptRecord([ChatMessage.User(question)], answer);
        }
        var name = root.TryGetProperty("messages", out _) ? "messages" : root.TryGetProperty("conversations", out _) ? "conversations"
            : throw new FormatException("\"prompt\" is missing");
        var list = root.GetProperty(name);
        if (list.ValueKind != JsonValueKind.Array) throw new FormatException($"\"{name}\" must be an array of messages");
        var messages = new List<ChatMessage>();
        var index = 0;
        foreach (var m in list.EnumerateArray())
        {
            string Field(string field) => m.ValueKind == JsonValueKind.Object && m.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()! : throw new FormatException($"\"{name}[{index}].{field}\" must be a string");
            var role = Field("role");
            if (role is not ("system" or "user" or "assistant")) throw new FormatException($"\"{name}[{index}].role\" must be system, user or assistant; got \"{role}\"");
            messages.Add(new ChatMessage(role, Field("content")));
            index++;
        }
        if (messages.Count == 0 || messages[^1].Role != "user") throw new FormatException($"\"{name}\" must end with a user message (the prompt)");
        return new PromptRecord(messages, answer);
    }
}
