using Microsoft.Data.Sqlite;
using MiniMind.Engine.Training;

namespace MiniMind.Studio.Services;

/// <summary>
/// Every run the studio started, in a SQLite file under out/ (metrics stay in each run's metrics.jsonl), so the
/// run list and its history survive a restart. Runs that were active when the studio stopped are marked failed
/// with a message saying so (they can be resumed from their last resume state).
/// </summary>
public sealed class RunRegistry
{
    readonly string connectionString;
    readonly Lock gate = new();

    public RunRegistry(StudioPaths paths)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(paths.RegistryPath)!);
        connectionString = new SqliteConnectionStringBuilder { DataSource = paths.RegistryPath, Pooling = false }.ToString();
        Execute("""
            CREATE TABLE IF NOT EXISTS runs (
              id TEXT PRIMARY KEY, stage TEXT NOT NULL, status TEXT NOT NULL, message TEXT,
              options TEXT NOT NULL, directory TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
              step INTEGER NOT NULL, total_steps INTEGER NOT NULL, loss REAL, output TEXT);
            """);
    }

    /// <summary>Marks runs left active by a previous process as interrupted; returns how many.</summary>
    public int MarkInterrupted()
    {
        var stale = List().Where(r => r.IsActive).ToList();
        foreach (var run in stale)
            Save(run with { Status = RunStatus.Failed, Message = "Interrupted: the studio stopped while this run was active. Resume continues from its last saved state.", UpdatedUtc = DateTimeOffset.UtcNow });
        return stale.Count;
    }

    public void Save(RunRecord run) => Execute("""
        INSERT INTO runs (id, stage, status, message, options, directory, created, updated, step, total_steps, loss, output)
        VALUES ($id, $stage, $status, $message, $options, $directory, $created, $updated, $step, $total, $loss, $output)
        ON CONFLICT(id) DO UPDATE SET status = $status, message = $message, updated = $updated, step = $step,
          total_steps = $total, loss = $loss, output = COALESCE($output, output), options = $options;
        """, c =>
    {
        c.Parameters.AddWithValue("$id", run.Id);
        c.Parameters.AddWithValue("$stage", run.Stage.Name());
        c.Parameters.AddWithValue("$status", run.Status.ToString());
        c.Parameters.AddWithValue("$message", (object?)run.Message ?? DBNull.Value);
        c.Parameters.AddWithValue("$options", run.OptionsJson);
        c.Parameters.AddWithValue("$directory", run.Directory);
        c.Parameters.AddWithValue("$created", run.CreatedUtc.ToString("O"));
        c.Parameters.AddWithValue("$updated", run.UpdatedUtc.ToString("O"));
        c.Parameters.AddWithValue("$step", run.Step);
        c.Parameters.AddWithValue("$total", run.TotalSteps);
        c.Parameters.AddWithValue("$loss", run.Loss is double l && double.IsFinite(l) ? l : DBNull.Value);
        c.Parameters.AddWithValue("$output", (object?)run.Output ?? DBNull.Value);
    });

    /// <summary>All runs, newest first.</summary>
    public IReadOnlyList<RunRecord> List() => Query("SELECT * FROM runs ORDER BY created DESC, id DESC", null);

    public RunRecord? Find(string id) => Query("SELECT * FROM runs WHERE id = $id", c => c.Parameters.AddWithValue("$id", id)).FirstOrDefault();

    public void Delete(string id) => Execute("DELETE FROM runs WHERE id = $id", c => c.Parameters.AddWithValue("$id", id));

    IReadOnlyList<RunRecord> Query(string sql, Action<SqliteCommand>? bind) => Run(sql, bind, command =>
    {
        using var reader = command.ExecuteReader();
        var list = new List<RunRecord>();
        while (reader.Read())
        {
            list.Add(new RunRecord
            {
                Id = reader.GetString(reader.GetOrdinal("id")),
                Stage = TrainingStages.Parse(reader.GetString(reader.GetOrdinal("stage"))),
                Status = Enum.Parse<RunStatus>(reader.GetString(reader.GetOrdinal("status"))),
                Message = reader.IsDBNull(reader.GetOrdinal("message")) ? null : reader.GetString(reader.GetOrdinal("message")),
                OptionsJson = reader.GetString(reader.GetOrdinal("options")),
                Directory = reader.GetString(reader.GetOrdinal("directory")),
                CreatedUtc = DateTimeOffset.Parse(reader.GetString(reader.GetOrdinal("created")), System.Globalization.CultureInfo.InvariantCulture),
                UpdatedUtc = DateTimeOffset.Parse(reader.GetString(reader.GetOrdinal("updated")), System.Globalization.CultureInfo.InvariantCulture),
                Step = reader.GetInt64(reader.GetOrdinal("step")),
                TotalSteps = reader.GetInt64(reader.GetOrdinal("total_steps")),
                Loss = reader.IsDBNull(reader.GetOrdinal("loss")) ? null : reader.GetDouble(reader.GetOrdinal("loss")),
                Output = reader.IsDBNull(reader.GetOrdinal("output")) ? null : reader.GetString(reader.GetOrdinal("output")),
            });
        }
        return list;
    });

    void Execute(string sql, Action<SqliteCommand>? bind = null) => Run(sql, bind, command => command.ExecuteNonQuery());

    /// <summary>One statement on its own connection, under the registry's lock (runs report from their own threads).</summary>
    T Run<T>(string sql, Action<SqliteCommand>? bind, Func<SqliteCommand, T> body)
    {
        lock (gate)
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind?.Invoke(command);
            return body(command);
        }
    }
}
