using System.Text;
using System.Text.Json;

namespace MiniMind.Engine.Tokenization;

/// <summary>
/// Streams the training texts of jsonl files: each line's <c>text</c> field, or for conversation data
/// (<c>{"conversations":[{"role","content"},...]}</c>) every message's <c>content</c>. Lines are handed out
/// in batches so counting can run on several threads while memory stays at a few batches.
/// </summary>
static class JsonlCorpus
{
    public static long TotalBytes(IEnumerable<string> files) => files.Sum(f => new FileInfo(f).Length);

    /// <summary>Batches of raw lines; <paramref name="bytesRead"/> is called with the bytes of each batch.</summary>
    public static IEnumerable<List<string>> LineBatches(IEnumerable<string> files, int batchLines, Action<long> bytesRead, CancellationToken cancellationToken)
    {
        foreach (string file in files)
        {
            using var reader = new StreamReader(file);
            var batch = new List<string>(batchLines);
            long batchBytes = 0;
            while (reader.ReadLine() is { } line)
            {
                batch.Add(line);
                batchBytes += Encoding.UTF8.GetByteCount(line) + 1; // the total it is set against is in file bytes
                if (batch.Count == batchLines)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    bytesRead(batchBytes);
                    yield return batch;
                    batch = new List<string>(batchLines);
                    batchBytes = 0;
                }
            }
            if (batch.Count > 0)
            {
                bytesRead(batchBytes);
                yield return batch;
            }
        }
    }

    /// <summary>Appends the texts of one jsonl line; blank lines have none, malformed ones throw naming the problem.</summary>
    public static void Texts(string line, List<string> output)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        using JsonDocument document = JsonDocument.Parse(line);
        JsonElement root = document.RootElement;
        if (root.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String)
        {
            output.Add(text.GetString()!);
        }
        else if (root.TryGetProperty("conversations", out JsonElement conversation) && conversation.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement message in conversation.EnumerateArray())
            {
                if (message.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String)
                {
                    output.Add(content.GetString()!);
                }
            }
        }
    }
}
