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

    public RunRegistry(StudioPaths paths, ILogger<RunRegistry>? logger = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(paths.RegistryPath)!);
        connectionString = new SqliteConnectionStringBuilder { DataSource = paths.RegistryPath, Pooling = false }.ToString();
        try
        {
            Open();
        }
        catch (SqliteException e)
        {
            // a damaged registry must not take the studio down, nor be deleted: it is moved aside, and the run list is
            // rebuilt from the run folders, which hold each run's options and history
            var aside = $"{paths.RegistryPath}.damaged-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
                if (File.Exists(paths.RegistryPath + suffix)) File.Move(paths.RegistryPath + suffix, aside + suffix);
            Open();
            int rebuilt = Rebuild(paths.OutDir, logger);
            // Chat's and Compare's conversations share the file: copy back every one the damage left readable
            var conversations = ConversationStore.Salvage(aside, paths);
            Recovery = $"The run registry {paths.RegistryPath} could not be read ({e.Message}); it was moved to {aside}, {rebuilt} runs were recovered from their folders, and from the file: {conversations}.";
            logger?.LogWarning("{Recovery}", Recovery);
        }
    }

    /// <summary>What was done when the registry was found damaged at start, or null.</summary>
    public string? Recovery { get; }

    void Open()
    {
        Execute("""
            CREATE TABLE IF NOT EXISTS runs (
              id TEXT PRIMARY KEY, stage TEXT NOT NULL, status TEXT NOT NULL, message TEXT,
              options TEXT NOT NULL, directory TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
              step INTEGER NOT NULL, total_steps INTEGER NOT NULL, loss REAL, output TEXT);
            """);
        var check = Run("PRAGMA quick_check", null, command => command.ExecuteScalar() as string);
        if (check != "ok") throw new SqliteException($"integrity check: {check}", 11);
    }

    /// <summary>
    /// A record for every run folder under <paramref name="outDir"/>/runs from its config.json and metrics.jsonl: completed when
    /// a checkpoint's sidecar names the run at its last logged step, otherwise failed and resumable. Returns how many.
    /// </summary>
    int Rebuild(string outDir, ILogger? logger)
    {
        var runs = Path.Combine(outDir, "runs");
        if (!Directory.Exists(runs)) return 0;
        var outputs = Directory.EnumerateFiles(outDir, "*.safetensors", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(outDir, f).StartsWith("runs" + Path.DirectorySeparatorChar))
            .Select(f => (Path: f, Info: SafeReadInfo(f)))
            .Where(c => c.Info?.RunId is not null)
            .GroupBy(c => c.Info!.RunId!)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.Info!.Step).First());
        int count = 0;
        foreach (var folder in Directory.EnumerateDirectories(runs))
        {
            try
            {
                var run = new RunDirectory(folder);
                var options = run.ReadOptions();
                var metrics = run.ReadMetrics();
                long step = metrics.Count > 0 ? metrics[^1].Step : 0;
                var output = outputs.GetValueOrDefault(run.Id);
                bool completed = output.Info is { } info && info.Step == step && step > 0;
                Save(new RunRecord
                {
                    Id = run.Id, Stage = options.Stage, OptionsJson = options.ToJson(), Directory = run.Path,
                    Status = completed ? RunStatus.Completed : RunStatus.Failed,
                    Message = completed ? "Recovered from its folder." : "Recovered from its folder after the run registry was found damaged. Resume continues from its last saved state.",
                    CreatedUtc = run.CreatedUtc, UpdatedUtc = new DateTimeOffset(File.GetLastWriteTimeUtc(run.MetricsPath)),
                    Step = step, TotalSteps = completed ? step : options.MaxSteps ?? step, Loss = metrics.Count > 0 ? metrics[^1].Loss : null,
                    Output = output.Path,
                });
                count++;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
            {
                logger?.LogWarning("Run folder {Folder} not recovered: {Problem}", folder, e.Message);
            }
        }
        return count;
    }

    /// <summary>A checkpoint's sidecar, or null when it cannot be read (the file is still someone's: never an error here).</summary>
    internal static Engine.Checkpoints.CheckpointInfo? SafeReadInfo(string weights)
    {
        try { return Engine.Checkpoints.ModelCheckpoint.ReadInfo(weights); }
        catch (InvalidDataException) { return null; }
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
