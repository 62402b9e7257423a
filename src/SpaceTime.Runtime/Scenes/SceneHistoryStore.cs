using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SpaceTime.Runtime.Hosting;
using SpaceTime.Security.Storage;

namespace SpaceTime.Runtime.Scenes;

/// <summary>One attempt to load a scene, and the instance that made it.</summary>
public sealed record SceneHistoryEntry(
    string ScenePath,
    string? SceneName,
    DateTimeOffset LoadedAt,
    double? LoadDurationMs,
    string Result,
    string? Error,
    string? InstanceId = null)
{
    /// <summary>The columns <see cref="ReadAll"/> expects, in its order (both history stores select them).</summary>
    public const string Columns = "scene_path, scene_name, loaded_at, load_duration_ms, result, error, instance_id";

    /// <summary>Every row of a query selecting <see cref="Columns"/>; <paramref name="loadedAt"/> reads column 2 as the store keeps it.</summary>
    public static List<SceneHistoryEntry> ReadAll(System.Data.Common.DbDataReader reader, Func<System.Data.Common.DbDataReader, DateTimeOffset> loadedAt)
    {
        var entries = new List<SceneHistoryEntry>();
        while (reader.Read())
        {
            entries.Add(new SceneHistoryEntry(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                loadedAt(reader),
                reader.IsDBNull(3) ? null : reader.GetDouble(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return entries;
    }
}

/// <summary>Where scene history is kept: the data dir's SQLite database, or PostgreSQL shared by several instances.</summary>
public interface ISceneHistory
{
    /// <summary>"sqlite" or "postgresql", for <c>/status</c>.</summary>
    string Backend { get; }

    /// <summary>Keeps an entry durably before returning.</summary>
    /// <exception cref="StorageUnavailableException">The entry could not be made durable.</exception>
    void Add(SceneHistoryEntry entry);

    /// <summary>The newest entries first.</summary>
    IReadOnlyList<SceneHistoryEntry> Recent(int limit);

    long Count();
}

/// <summary>
/// The scene history in SQLite in the data dir (<c>spacetime.db</c>, WAL mode), shared by the processes of one host.
/// A damaged database stops start-up with the file named; it is never replaced.
/// </summary>
public sealed class SceneHistoryStore : ISceneHistory
{
    public const string StoreName = "scene history";

    private readonly string _connectionString;
    private readonly StorageHealth? _storage;

    public SceneHistoryStore(IOptions<RuntimeOptions> options, StorageHealth? storage = null)
        : this(Path.Combine(Path.GetFullPath(options.Value.DataDir), "spacetime.db"), storage)
    {
    }

    public SceneHistoryStore(string databasePath, StorageHealth? storage = null)
    {
        _storage = storage;
        DatabasePath = databasePath;
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = true, DefaultTimeout = 30 }.ToString();
        CheckNotDamaged(DatabasePath);
        try
        {
            using var connection = Open();
            // Checked before anything is written, so a damaged file is left exactly as it was found.
            using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA quick_check";
                var verdict = check.ExecuteScalar() as string;
                if (verdict != "ok")
                {
                    throw Damaged(DatabasePath, $"integrity check: {verdict?.ReplaceLineEndings(" ")}", null);
                }
            }

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
            AddInstanceColumn(connection);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26)
        {
            throw Damaged(DatabasePath, e.SqliteErrorCode == 26 ? "not a SQLite database" : "malformed pages", e);
        }
    }

    public string DatabasePath { get; }

    public string Backend => "sqlite";

    public void Add(SceneHistoryEntry entry)
    {
        try
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO scene_history (scene_path, scene_name, loaded_at, load_duration_ms, result, error, instance_id)
                VALUES ($path, $name, $at, $duration, $result, $error, $instance)
                """;
            command.Parameters.AddWithValue("$path", entry.ScenePath);
            command.Parameters.AddWithValue("$name", (object?)entry.SceneName ?? DBNull.Value);
            command.Parameters.AddWithValue("$at", entry.LoadedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$duration", (object?)entry.LoadDurationMs ?? DBNull.Value);
            command.Parameters.AddWithValue("$result", entry.Result);
            command.Parameters.AddWithValue("$error", (object?)entry.Error ?? DBNull.Value);
            command.Parameters.AddWithValue("$instance", (object?)entry.InstanceId ?? DBNull.Value);
            command.ExecuteNonQuery();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            _storage?.Failed(StoreName, e);
            throw new StorageUnavailableException(StoreName, StorageUnavailableException.Describe(e), e);
        }

        _storage?.Succeeded(StoreName);
    }

    public IReadOnlyList<SceneHistoryEntry> Recent(int limit)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SceneHistoryEntry.Columns} FROM scene_history ORDER BY id DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        return SceneHistoryEntry.ReadAll(reader, r => DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }

    public long Count()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM scene_history";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// A zero-length database is damage unless its write-ahead log holds the data (then SQLite recovers it without
    /// loss): SQLite itself would silently start a new, empty one.
    /// </summary>
    private static void CheckNotDamaged(string path)
    {
        var file = new FileInfo(path);
        if (file.Exists && file.Length == 0 && !(new FileInfo(path + "-wal") is { Exists: true, Length: > 0 }))
        {
            throw Damaged(path, "0 bytes: the scene history is gone", null);
        }
    }

    private static DamagedStoreException Damaged(string path, string damage, Exception? inner) =>
        new(path, damage, $"stop SpaceTime, then restore it from a backup (deploy/scripts/restore.sh), or move it aside to start with an empty scene history", inner);

    /// <summary>Databases made before instance identities lack the column; older rows keep it empty.</summary>
    private static void AddInstanceColumn(SqliteConnection connection)
    {
        using var columns = connection.CreateCommand();
        columns.CommandText = "SELECT COUNT(*) FROM pragma_table_info('scene_history') WHERE name = 'instance_id'";
        if ((long)columns.ExecuteScalar()! == 0)
        {
            using var alter = connection.CreateCommand();
            alter.CommandText = "ALTER TABLE scene_history ADD COLUMN instance_id TEXT";
            try
            {
                alter.ExecuteNonQuery();
            }
            catch (SqliteException e) when (e.Message.Contains("duplicate column", StringComparison.Ordinal))
            {
                // The other process on this data dir added it first.
            }
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
