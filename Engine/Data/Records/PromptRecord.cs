using System.Text;

namespace MiniMind.Engine.Data;

/// <summary>
/// One record of a prompt file (GRPO's data): the conversation up to the user's question, and what the rewards check
/// completions against: the reference <see cref="Answer"/>, or the <see cref="Facts"/> the final text must hold (the
/// current original's agent-RL <c>gt</c>), or neither (its RLAIF data, scored there by a reward model: here only the
/// rewards that need no reference score it). Parsed by <see cref="RecordParser"/> (<see cref="DatasetKind.Prompts"/>).
/// <see cref="Line"/>: its line in the file (1-based; 0 when not read from one).
/// </summary>
public sealed record PromptRecord(IReadOnlyList<ChatMessage> Messages, string Answer, int Line = 0) : DataRecord
{
    /// <summary>The last user turn: what a person asked.</summary>
    public string Question => Messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";

    /// <summary>The agent-RL data's <c>gt</c>: facts (strings or numbers) the final answer must hold; empty when none.</summary>
    public IReadOnlyList<string> Facts { get; init; } = [];

    /// <summary>Whether the record says what a right answer is (an answer or facts).</summary>
    public bool HasReference => Answer.Length > 0 || Facts.Count > 0;

    public override long Characters => Messages.Sum(m => (long)m.Content.Length) + Answer.Length + Facts.Sum(f => (long)f.Length);

    /// <summary>Every record of <paramref name="path"/>; a bad line is an error naming the file, line and field.</summary>
    public static List<PromptRecord> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"data_path: prompt file not found: {path}", path);
        var records = new List<PromptRecord>();
        var number = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            var record = RecordParser.Parse(Encoding.UTF8.GetBytes(line), DatasetKind.Prompts, path, number, out var problem);
            if (problem is not null)
                throw new InvalidDataException($"{problem} (a prompt record is {{\"prompt\": ..., \"answer\": ...}}, or \"conversations\" ending with a user turn or the assistant turn to fill, with an optional \"answer\" or \"gt\")");
            if (record is PromptRecord prompt) records.Add(prompt with { Line = number });
        }
        if (records.Count == 0) throw new InvalidDataException($"{path}: no prompt records.");
        return records;
    }
}
