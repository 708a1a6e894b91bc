using System.Text.Json;

namespace MiniMind.Engine.Data;

/// <summary>Recognises a dataset file's kind (jsonl or Parquet) from the fields of its first well-formed records.</summary>
public static class DatasetFormat
{
    const int ProbedRecords = 64;
    const string EvaluationFileMark = "minimind.evaluation-file";

    /// <summary>Whether <see cref="Probe"/> refused the file because its records are all questions: a benchmark, to evaluate with rather than train on.</summary>
    public static bool IsEvaluationFile(Exception refusal) => refusal.Data.Contains(EvaluationFileMark);

    /// <summary>What detection found: the kind most of the probed records have, and how many records had each kind.</summary>
    public sealed record Detection(DatasetKind Kind, IReadOnlyDictionary<DatasetKind, int> Votes)
    {
        /// <summary>Whether the probed records are of more than one kind.</summary>
        public bool Mixed => Votes.Count > 1;

        /// <summary>"63 sft, 1 pretrain": the votes, most first.</summary>
        public string Describe() => string.Join(", ", Votes.OrderByDescending(v => v.Value).Select(v => $"{v.Value} {v.Key.ToString().ToLowerInvariant()}"));
    }

    /// <summary>The kind of the file: <see cref="Probe"/>'s majority.</summary>
    public static DatasetKind Detect(DatasetFile file) => Probe(file).Kind;

    /// <summary>
    /// Each of the first well-formed records votes for a kind: <c>answer</c> with <c>prompt</c>, <c>messages</c> or
    /// <c>conversations</c> → prompts (GRPO), and so are the current original's agent-RL records (<c>conversations</c> with
    /// <c>gt</c>) and RLAIF records (<c>conversations</c> ending with an empty assistant turn, the one the model fills); <c>text</c> → pretrain; <c>chosen</c>+<c>rejected</c> → DPO; <c>conversations</c> → SFT, all of them reasoning
    /// when an assistant turn of one carries think/answer tags. The majority wins (one stray record does not make a file of
    /// another kind), and the votes say whether the file mixes kinds.
    /// </summary>
    public static Detection Probe(DatasetFile file)
    {
        var seen = 0;
        var questions = 0;
        var votes = new Dictionary<DatasetKind, int>();
        var reasoning = false;
        for (long i = 0; i < file.Count && seen < ProbedRecords; i++)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(RecordParser.WithoutBom(file.ReadBytes(i)));
            }
            catch (JsonException)
            {
                continue;
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) continue;
                seen++;
                if (root.TryGetProperty("question", out _)) questions++;
                DatasetKind? kind = null;
                if (root.TryGetProperty("answer", out _) && (root.TryGetProperty("prompt", out _) || root.TryGetProperty("messages", out _) || root.TryGetProperty("conversations", out _))) kind = DatasetKind.Prompts;
                else if (root.TryGetProperty("conversations", out var rl) && (root.TryGetProperty("gt", out _) || EndsWithEmptyAnswer(rl))) kind = DatasetKind.Prompts;
                else if (root.TryGetProperty("text", out _)) kind = DatasetKind.Pretrain;
                else if (root.TryGetProperty("chosen", out _) && root.TryGetProperty("rejected", out _)) kind = DatasetKind.Dpo;
                else if (root.TryGetProperty("conversations", out var conversation))
                {
                    kind = DatasetKind.Sft;
                    reasoning |= conversation.ValueKind == JsonValueKind.Array && conversation.EnumerateArray().Any(IsReasoningTurn);
                }
                if (kind is { } k) votes[k] = votes.GetValueOrDefault(k) + 1;
            }
        }
        if (reasoning && votes.Remove(DatasetKind.Sft, out var conversations)) votes[DatasetKind.Reasoning] = conversations;
        if (votes.Count > 0)
            return new Detection(votes.OrderByDescending(v => v.Value).ThenBy(v => v.Key).First().Key, votes);
        if (seen > 0 && questions == seen)
        {
            var benchmark = new InvalidDataException($"{file.Path}: an evaluation file (its records hold 'question' fields), not training data: evaluate checkpoints with it");
            benchmark.Data[EvaluationFileMark] = true;
            throw benchmark;
        }
        throw new InvalidDataException(
            $"{file.Path}: cannot tell the dataset kind: no record among the first {ProbedRecords} has a 'text', 'conversations', 'chosen'+'rejected' or 'prompt'+'answer' field (jsonl) or column (parquet)");
    }

    public static DatasetKind Detect(string path) => Probe(path).Kind;

    public static Detection Probe(string path)
    {
        using var file = DatasetFile.Open(path);
        return Probe(file);
    }

    /// <summary>Whether a conversation ends with an assistant turn that says and calls nothing: a prompt's slot to fill.</summary>
    static bool EndsWithEmptyAnswer(JsonElement conversation)
    {
        if (conversation.ValueKind != JsonValueKind.Array || conversation.GetArrayLength() < 2) return false;
        var last = conversation[conversation.GetArrayLength() - 1];
        return last.ValueKind == JsonValueKind.Object
            && last.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && role.GetString() == "assistant"
            && (!last.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null || (content.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(content.GetString())))
            && (!last.TryGetProperty("tool_calls", out var calls) || calls.ValueKind == JsonValueKind.Null);
    }

    static bool IsReasoningTurn(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object
        && message.TryGetProperty("role", out var role) && role.ValueEquals("assistant")
        && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
        && RecordParser.HasThinkAnswerTags(content.GetString()!);
}
