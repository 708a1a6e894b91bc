using System.Text.Json;

namespace MiniMind.Engine.Data;

/// <summary>Recognises a dataset file's kind (jsonl or Parquet) from the fields of its first well-formed records.</summary>
public static class DatasetFormat
{
    const int Probe = 64;

    /// <summary>
    /// <c>text</c> → pretrain; <c>chosen</c>+<c>rejected</c> → DPO; <c>conversations</c> → SFT, or reasoning when an
    /// assistant turn of the probed records carries think/answer tags; <c>answer</c> with <c>prompt</c> or <c>messages</c> → prompts (GRPO).
    /// </summary>
    public static DatasetKind Detect(DatasetFile file)
    {
        var seen = 0;
        var questions = 0;
        DatasetKind? found = null;
        for (long i = 0; i < file.Count && seen < Probe; i++)
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
                if (root.TryGetProperty("answer", out _) && (root.TryGetProperty("prompt", out _) || root.TryGetProperty("messages", out _))) return DatasetKind.Prompts;
                if (root.TryGetProperty("text", out _)) return DatasetKind.Pretrain;
                if (root.TryGetProperty("chosen", out _) && root.TryGetProperty("rejected", out _)) return DatasetKind.Dpo;
                if (root.TryGetProperty("conversations", out var conversation))
                {
                    found = DatasetKind.Sft;
                    if (conversation.ValueKind == JsonValueKind.Array && conversation.EnumerateArray().Any(IsReasoningTurn)) return DatasetKind.Reasoning;
                }
            }
        }
        if (found is { } kind) return kind;
        if (seen > 0 && questions == seen)
            throw new InvalidDataException($"{file.Path}: an evaluation file (its records hold 'question' fields), not training data: evaluate checkpoints with it");
        throw new InvalidDataException(
            $"{file.Path}: cannot tell the dataset kind: no record among the first {Probe} has a 'text', 'conversations', 'chosen'+'rejected' or 'prompt'+'answer' field (jsonl) or column (parquet)");
    }

    public static DatasetKind Detect(string path)
    {
        using var file = DatasetFile.Open(path);
        return Detect(file);
    }

    /// <summary>Whether the probed records are all questions: a benchmark file, to evaluate with rather than train on.</summary>
    public static bool IsEvaluationFile(string path)
    {
        try
        {
            using var file = DatasetFile.Open(path);
            var seen = 0;
            for (long i = 0; i < file.Count && seen < Probe; i++)
            {
                using var document = JsonDocument.Parse(RecordParser.WithoutBom(file.ReadBytes(i)));
                if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("question", out _)) return false;
                seen++;
            }
            return seen > 0;
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidDataException)
        {
            return false;
        }
    }

    static bool IsReasoningTurn(JsonElement message) =>
        message.ValueKind == JsonValueKind.Object
        && message.TryGetProperty("role", out var role) && role.ValueEquals("assistant")
        && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
        && RecordParser.HasThinkAnswerTags(content.GetString()!);
}
