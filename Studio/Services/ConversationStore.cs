using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using MiniMind.Engine.Chat;

namespace MiniMind.Studio.Services;

/// <summary>One answer as it ended: its text, reasoning, finish reason or error, and speed.</summary>
/// <summary>An answer as saved; <paramref name="Model"/> is the checkpoint (or adapter) path that wrote it, where a page can change models (Compare).</summary>
public sealed record SavedAnswer(string Text, string Reasoning, string? Finish, string? Error, int CompletionTokens, double Seconds, string? Model = null);

/// <summary>One exchange of a chat: the user's message, the rounds of tool calls the model made on the way, and the answer.</summary>
public sealed record SavedTurn(string Prompt, SavedAnswer Answer)
{
    public IReadOnlyList<SavedToolRound>? Rounds { get; init; }
}

/// <summary>An answer that called tools: what it wrote besides the calls, and each call with its result.</summary>
public sealed record SavedToolRound(SavedAnswer Answer, string Text, IReadOnlyList<SavedToolStep> Steps);

/// <summary>One call of a round and its result (null: never given).</summary>
public sealed record SavedToolStep(string Id, string Name, string Arguments, string? Result, bool Failed);

/// <summary>A Chat conversation as it was left: the checkpoint, adapter, system prompt and settings, and every turn.</summary>
public sealed record SavedChat
{
    /// <summary>The tools the chat offered (none in conversations saved before tools existed).</summary>
    public ToolSet? Tools { get; init; }
    public string? Checkpoint { get; init; }
    public string? Adapter { get; init; }
    public string SystemPrompt { get; init; } = "";
    public ChatOptions Settings { get; init; } = new();
    public IReadOnlyList<SavedTurn> Turns { get; init; } = [];
}

/// <summary>One prompt of a comparison and each pane's answer (null where a pane had no checkpoint).</summary>
public sealed record SavedCompareTurn(string Prompt, IReadOnlyList<SavedAnswer?> Answers)
{
    /// <summary>Per pane, the rounds of tool calls before its answer (null: none).</summary>
    public IReadOnlyList<IReadOnlyList<SavedToolRound>?>? Rounds { get; init; }
}

/// <summary>A Compare conversation as it was left: the panes' checkpoints (a third only when shown), system prompt, settings, turns.</summary>
public sealed record SavedComparison
{
    public IReadOnlyList<string?> Panes { get; init; } = [];
    /// <summary>The tools every pane offered (none in comparisons saved before tools existed).</summary>
    public ToolSet? Tools { get; init; }
    public string SystemPrompt { get; init; } = "";
    public ChatOptions Settings { get; init; } = new();
    public IReadOnlyList<SavedCompareTurn> Turns { get; init; } = [];
}

/// <summary>A conversation in the list: its id, title (its first message), when it changed, and its turn count.</summary>
public sealed record ConversationSummary(string Id, string Title, DateTimeOffset UpdatedUtc, int Turns);

/// <summary>
/// Chat and Compare conversations in the studio's SQLite file (beside the run registry, under out/), so leaving the page,
/// reloading or restarting the studio loses none: saved after every answer, listed newest first, reopened whole.
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
        foreach (var table in new[] { Chats, Comparisons })
        {
            using var create = connection.CreateCommand();
            create.CommandText = $"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, title TEXT NOT NULL, updated TEXT NOT NULL, turns INTEGER NOT NULL, state TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }
    }

    const string Chats = "conversations", Comparisons = "comparisons";

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Copies the conversations out of a damaged studio file that the run registry moved aside, as many as can be read,
    /// into the new file at <paramref name="paths"/>; the damaged file is opened read-only and stays as it was found.
    /// Says how many of each kind came back, or why none could.
    /// </summary>
    public static string Salvage(string damagedFile, StudioPaths paths)
    {
        var store = new ConversationStore(paths);
        try
        {
            using var damaged = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = damagedFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            damaged.Open();
            return $"{store.CopyFrom(damaged, Chats, "chats")}, {store.CopyFrom(damaged, Comparisons, "comparisons")}";
        }
        catch (SqliteException e)
        {
            return $"no conversation could be read ({e.Message})";
        }
    }

    /// <summary>Every row of <paramref name="table"/> that <paramref name="damaged"/> still yields (kept when the damage stops the read).</summary>
    string CopyFrom(SqliteConnection damaged, string table, string noun)
    {
        using var exists = damaged.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        exists.Parameters.AddWithValue("$name", table);
        if (Convert.ToInt64(exists.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0) return $"{noun}: 0";

        int copied = 0;
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        try
        {
            using var select = damaged.CreateCommand();
            select.CommandText = $"SELECT id, title, updated, turns, state FROM {table}";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT OR IGNORE INTO {table} (id, title, updated, turns, state) VALUES ($id, $title, $updated, $turns, $state)";
                foreach (var (name, i) in new[] { ("$id", 0), ("$title", 1), ("$updated", 2), ("$turns", 3), ("$state", 4) })
                    insert.Parameters.AddWithValue(name, reader.GetValue(i));
                copied += insert.ExecuteNonQuery();
            }
            transaction.Commit();
            return $"{noun}: {copied}";
        }
        catch (SqliteException e)
        {
            transaction.Commit(); // what was read before the damaged part
            return $"{noun}: {copied} (the rest could not be read: {e.Message})";
        }
    }

    /// <summary>A new conversation id (sortable by time).</summary>
    public static string NewId() => $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Writes (or replaces) chat <paramref name="id"/>.</summary>
    public void Save(string id, SavedChat chat) => Write(Chats, id, chat.Turns.FirstOrDefault()?.Prompt, chat.Turns.Count, chat);

    /// <summary>Chat <paramref name="id"/>, or null when there is none (or its saved state cannot be read).</summary>
    public SavedChat? Load(string id) => Read<SavedChat>(Chats, id);

    /// <summary>Every chat, newest first.</summary>
    public IReadOnlyList<ConversationSummary> List() => Summaries(Chats);

    public void Delete(string id) => Remove(Chats, id);

    /// <summary>Writes (or replaces) comparison <paramref name="id"/>.</summary>
    public void SaveComparison(string id, SavedComparison comparison) =>
        Write(Comparisons, id, comparison.Turns.FirstOrDefault()?.Prompt, comparison.Turns.Count, comparison);

    public SavedComparison? LoadComparison(string id) => Read<SavedComparison>(Comparisons, id);

    /// <summary>Every comparison, newest first.</summary>
    public IReadOnlyList<ConversationSummary> ListComparisons() => Summaries(Comparisons);

    public void DeleteComparison(string id) => Remove(Comparisons, id);

    void Write<T>(string table, string id, string? firstPrompt, int turns, T state)
    {
        var title = firstPrompt?.ReplaceLineEndings(" ").Trim() ?? "(empty)";
        if (title.Length > 80) title = title[..80] + "…";
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {table} (id, title, updated, turns, state) VALUES ($id, $title, $updated, $turns, $state)
            ON CONFLICT(id) DO UPDATE SET title = excluded.title, updated = excluded.updated, turns = excluded.turns, state = excluded.state
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$title", title);
        command.Parameters.AddWithValue("$updated", DateTimeOffset.UtcNow.ToString("O"));
        command.Parameters.AddWithValue("$turns", turns);
        command.Parameters.AddWithValue("$state", JsonSerializer.Serialize(state, Json));
        command.ExecuteNonQuery();
    }

    T? Read<T>(string table, string id) where T : class
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT state FROM {table} WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        if (command.ExecuteScalar() is not string state) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(state, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    IReadOnlyList<ConversationSummary> Summaries(string table)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, title, updated, turns FROM {table} ORDER BY updated DESC, id DESC";
        using var reader = command.ExecuteReader();
        var list = new List<ConversationSummary>();
        while (reader.Read())
            list.Add(new ConversationSummary(reader.GetString(0), reader.GetString(1), DateTimeOffset.Parse(reader.GetString(2), System.Globalization.CultureInfo.InvariantCulture), reader.GetInt32(3)));
        return list;
    }

    void Remove(string table, string id)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {table} WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.ExecuteNonQuery();
    }
}
