using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using SpaceTime.Engine.Worlds;
using SpaceTime.Runtime.Hosting;

namespace SpaceTime.Runtime.World;

/// <summary>A stored snapshot, without its body.</summary>
public sealed record WorldSnapshotInfo(string Id, string? Name, string ScenePath, long Tick, string StateHash, DateTimeOffset CreatedAt, long SizeBytes);

/// <summary>A snapshot body over the size limit.</summary>
public sealed class WorldSnapshotTooLargeException(long size, long limit)
    : Exception($"The snapshot is {size} bytes compressed, more than the limit of {limit} (SpaceTime:MaxWorldSnapshotBytes)");

/// <summary>
/// World snapshots in SQLite in the data dir (gzip-compressed JSON bodies), so they survive restarts.
/// Bounded: at most <see cref="RuntimeOptions.MaxWorldSnapshots"/> (the oldest go first) of at most
/// <see cref="RuntimeOptions.MaxWorldSnapshotBytes"/> each.
/// </summary>
public sealed class WorldSnapshotStore
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly string _connectionString;
    private readonly int _maxCount;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;

    public WorldSnapshotStore(IOptions<RuntimeOptions> options, TimeProvider time)
    {
        _time = time;
        _maxCount = options.Value.MaxWorldSnapshots;
        _maxBytes = options.Value.MaxWorldSnapshotBytes;
        var dataDir = Path.GetFullPath(options.Value.DataDir);
        Directory.CreateDirectory(dataDir);
        DatabasePath = Path.Combine(dataDir, "world_snapshots.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = true }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS world_snapshots (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                name TEXT,
                scene_path TEXT NOT NULL,
                tick INTEGER NOT NULL,
                state_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                size_bytes INTEGER NOT NULL,
                body BLOB NOT NULL
            );
            """;
        command.ExecuteNonQuery();
    }

    public string DatabasePath { get; }

    /// <exception cref="WorldSnapshotTooLargeException">The compressed body is over the limit.</exception>
    public WorldSnapshotInfo Save(string? name, WorldSnapshot snapshot, string stateHash)
    {
        var body = Compress(snapshot);
        if (body.Length > _maxBytes)
        {
            throw new WorldSnapshotTooLargeException(body.Length, _maxBytes);
        }

        var info = new WorldSnapshotInfo("snap_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), name, snapshot.ScenePath, snapshot.Tick,
            stateHash, _time.GetUtcNow(), body.Length);
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO world_snapshots (id, name, scene_path, tick, state_hash, created_at, size_bytes, body)
                VALUES ($id, $name, $scene, $tick, $hash, $at, $size, $body)
                """;
            insert.Parameters.AddWithValue("$id", info.Id);
            insert.Parameters.AddWithValue("$name", (object?)name ?? DBNull.Value);
            insert.Parameters.AddWithValue("$scene", info.ScenePath);
            insert.Parameters.AddWithValue("$tick", info.Tick);
            insert.Parameters.AddWithValue("$hash", stateHash);
            insert.Parameters.AddWithValue("$at", info.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("$size", info.SizeBytes);
            insert.Parameters.AddWithValue("$body", body);
            insert.ExecuteNonQuery();
        }

        using (var trim = connection.CreateCommand())
        {
            trim.CommandText = "DELETE FROM world_snapshots WHERE seq NOT IN (SELECT seq FROM world_snapshots ORDER BY seq DESC LIMIT $max)";
            trim.Parameters.AddWithValue("$max", _maxCount);
            trim.ExecuteNonQuery();
        }

        transaction.Commit();
        return info;
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<WorldSnapshotInfo> List()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, scene_path, tick, state_hash, created_at, size_bytes FROM world_snapshots ORDER BY seq DESC";
        using var reader = command.ExecuteReader();
        var result = new List<WorldSnapshotInfo>();
        while (reader.Read())
        {
            result.Add(ReadInfo(reader));
        }

        return result;
    }

    public (WorldSnapshotInfo Info, WorldSnapshot Snapshot)? Get(string id)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, scene_path, tick, state_hash, created_at, size_bytes, body FROM world_snapshots WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (ReadInfo(reader), Decompress((byte[])reader["body"])) : null;
    }

    public bool Delete(string id)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM world_snapshots WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteNonQuery() > 0;
    }

    public static byte[] Compress(WorldSnapshot snapshot)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            JsonSerializer.Serialize(gzip, snapshot, Json);
        }

        return buffer.ToArray();
    }

    public static WorldSnapshot Decompress(byte[] body)
    {
        using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<WorldSnapshot>(gzip, Json) ?? throw new InvalidDataException("empty snapshot body");
    }

    private static WorldSnapshotInfo ReadInfo(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.IsDBNull(1) ? null : reader.GetString(1),
        reader.GetString(2),
        reader.GetInt64(3),
        reader.GetString(4),
        DateTimeOffset.Parse(reader.GetString(5), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        reader.GetInt64(6));

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
