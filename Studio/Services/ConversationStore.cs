using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using MiniMind.Engine.Chat;

namespace MiniMind.Studio.Services;

/// <summary>One answer as it ended: its text, reasoning, finish reason or error, and speed.</summary>
public sealed record SavedAnswer(string Text, string Reasoning, string? Finish, string? Error, int CompletionTokens, double Seconds);

/// <summary>One exchange of a chat: the user's message and the answer.</summary>
public sealed record SavedTurn(string Prompt, SavedAnswer Answer);

/// <summary>A Chat conversation as it was left: the checkpoint, adapter, system prompt and settings, and every turn.</summary>
public sealed record SavedChat
{
    public string? Checkpoint { get; init; }
    public string? Adapter { get; init; }
    public string SystemPrompt { get; init; } = "";
    public ChatOptions Settings { get; init; } = new();
    public IReadOnlyList<SavedTurn> Turns { get; init; } = [];
}

/// <summary>A conversation in the list: its id, title (its first message), when it changed, and its turn count.</summary>
public sealed record ConversationSummary(string Id, string Title, DateTimeOffset UpdatedUtc, int Turns);

/// <summary>
/// Chat conversations in the studio's SQLite file (beside the run registry, under out/), so leaving the page, reloading
/// or restarting the studio loses none: saved after every answer, listed newest first, reopened whole.
/// </summary>
public sealed class ConversationStore
{
    static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    readonly string connectionString;

    public ConversationStore(StudioPaths paths)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(paths.RegistryPath)!);
        connectionString = new SqliteConnectionStringBuilder { DataSource = paths.RegistryPath, Pooling = false }.ToString();
        using var connection = Open();
        using var create = connection.CreateCommand();
        create.CommandText = "CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, title TEXT NOT NULL, updated TEXT NOT NULL, turns INTEGER NOT NULL, state TEXT NOT NULL)";
        create.ExecuteNonQuery();
    }

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>A new conversation id (sortable by time).</summary>
    public static string NewId() => $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Writes (or replaces) conversation <paramref name="id"/>.</summary>
    public void Save(string id, SavedChat chat)
    {
        var title = chat.Turns.FirstOrDefault()?.Prompt.ReplaceLineEndings(" ").Trim() ?? "(empty)";
        if (title.Length > 80) title = title[..80] + "…";
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO conversations (id, title, updated, turns, state) VALUES ($id, $title, $updated, $turns, $state)
            ON CONFLICT(id) DO UPDATE SET title = excluded.title, updated = excluded.updated, turns = excluded.turns, state = excluded.state
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$title", title);
        command.Parameters.AddWithValue("$updated", DateTimeOffset.UtcNow.ToString("O"));
        command.Parameters.AddWithValue("$turns", chat.Turns.Count);
        command.Parameters.AddWithValue("$state", JsonSerializer.Serialize(chat, Json));
        command.ExecuteNonQuery();
    }

    /// <summary>Conversation <paramref name="id"/>, or null when there is none (or its saved state cannot be read).</summary>
    public SavedChat? Load(string id)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state FROM conversations WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        if (command.ExecuteScalar() is not string state) return null;
        try
        {
            return JsonSerializer.Deserialize<SavedChat>(state, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Every conversation, newest first.</summary>
    public IReadOnlyList<ConversationSummary> List()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, title, updated, turns FROM conversations ORDER BY updated DESC, id DESC";
        using var reader = command.ExecuteReader();
        var list = new List<ConversationSummary>();
        while (reader.Read())
            list.Add(new ConversationSummary(reader.GetString(0), reader.GetString(1), DateTimeOffset.Parse(reader.GetString(2), System.Globalization.CultureInfo.InvariantCulture), reader.GetInt32(3)));
        return list;
    }

    public void Delete(string id)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM conversations WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.ExecuteNonQuery();
    }
}
