using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SpaceTime.Runtime.Hosting;

namespace SpaceTime.Runtime.Scenes;

/// <summary>One attempt to load a scene.</summary>
public sealed record SceneHistoryEntry(
    string ScenePath,
    string? SceneName,
    DateTimeOffset LoadedAt,
    double? LoadDurationMs,
    string Result,
    string? Error);

/// <summary>The scene history, kept in SQLite in the data dir so it survives restarts.</summary>
public sealed class SceneHistoryStore
{
    private readonly string _connectionString;

    public SceneHistoryStore(IOptions<RuntimeOptions> options)
    {
        var dataDir = Path.GetFullPath(options.Value.DataDir);
        Directory.CreateDirectory(dataDir);
        DatabasePath = Path.Combine(dataDir, "spacetime.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = true }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS scene_history (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                scene_path TEXT NOT NULL,
                scene_name TEXT,
                loaded_at TEXT NOT NULL,
                load_duration_ms REAL,
                result TEXT NOT NULL,
                error TEXT
            );
            """;
        command.ExecuteNonQuery();
    }

    public string DatabasePath { get; }

    public void Add(SceneHistoryEntry entry)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO scene_history (scene_path, scene_name, loaded_at, load_duration_ms, result, error)
            VALUES ($path, $name, $at, $duration, $result, $error)
            """;
        command.Parameters.AddWithValue("$path", entry.ScenePath);
        command.Parameters.AddWithValue("$name", (object?)entry.SceneName ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", entry.LoadedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$duration", (object?)entry.LoadDurationMs ?? DBNull.Value);
        command.Parameters.AddWithValue("$result", entry.Result);
        command.Parameters.AddWithValue("$error", (object?)entry.Error ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    /// <summary>The newest entries first.</summary>
    public IReadOnlyList<SceneHistoryEntry> Recent(int limit)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT scene_path, scene_name, loaded_at, load_duration_ms, result, error
            FROM scene_history ORDER BY id DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var entries = new List<SceneHistoryEntry>();
        while (reader.Read())
        {
            entries.Add(new SceneHistoryEntry(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                reader.IsDBNull(3) ? null : reader.GetDouble(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return entries;
    }

    public long Count()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM scene_history";
        return (long)command.ExecuteScalar()!;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
