using System.Text.Json;
using Microsoft.Data.Sqlite;
using SpaceTime.Security.Storage;

namespace SpaceTime.Records;

/// <summary>One record waiting for PostgreSQL.</summary>
public sealed record OutboxItem(long Seq, string Kind, string Payload);

/// <summary>
/// Records on their way to PostgreSQL, kept durably in the data dir (<c>outbox.db</c>, SQLite WAL) first: a load is
/// acknowledged once its records are here, whether or not the database is reachable, and
/// <see cref="OutboxDelivery"/> moves them in order. <see cref="Origin"/> and the sequence number identify each
/// record in PostgreSQL, so a delivery repeated after a crash stores nothing twice.
/// </summary>
public sealed class RecordOutbox
{
    public const string FileName = "outbox.db";
    public const string StoreName = "record outbox";

    /// <summary>How record payloads are written.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _connectionString;
    private readonly StorageHealth? _storage;

    public RecordOutbox(string dataDir, StorageHealth? storage = null)
    {
        _storage = storage;
        Path = System.IO.Path.Combine(dataDir, FileName);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL);
            INSERT OR IGNORE INTO meta (key, value) VALUES ('origin', lower(hex(randomblob(12))));
            SELECT value FROM meta WHERE key = 'origin';
            """;
        Origin = (string)command.ExecuteScalar()!;
    }

    public string Path { get; }

    /// <summary>This outbox's name in PostgreSQL's origin column.</summary>
    public string Origin { get; }

    /// <summary>Raised after each enqueue, so delivery starts at once.</summary>
    public event Action? Enqueued;

    /// <exception cref="StorageUnavailableException">The record could not be made durable.</exception>
    public void Enqueue(string kind, string payload)
    {
        try
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO outbox (kind, payload) VALUES ($kind, $payload)";
            command.Parameters.AddWithValue("$kind", kind);
            command.Parameters.AddWithValue("$payload", payload);
            command.ExecuteNonQuery();
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            _storage?.Failed(StoreName, e);
            throw new StorageUnavailableException(StoreName, StorageUnavailableException.Describe(e), e);
        }

        _storage?.Succeeded(StoreName);
        Enqueued?.Invoke();
    }

    /// <summary>
    /// The oldest records of the given kinds, in the order they were enqueued (each process delivers the kinds it
    /// knows: the manager its audit records, the game its audit records and scene history).
    /// </summary>
    public IReadOnlyList<OutboxItem> Peek(int limit, IReadOnlyCollection<string> kinds)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT seq, kind, payload FROM outbox WHERE kind IN ({string.Join(", ", kinds.Select((_, i) => $"$k{i}"))}) ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$limit", limit);
        foreach (var (kind, i) in kinds.Select((k, i) => (k, i)))
        {
            command.Parameters.AddWithValue($"$k{i}", kind);
        }
        using var reader = command.ExecuteReader();
        var items = new List<OutboxItem>();
        while (reader.Read())
        {
            items.Add(new OutboxItem(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }

        return items;
    }

    /// <summary>Forgets delivered records.</summary>
    public void Remove(IReadOnlyList<OutboxItem> delivered)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM outbox WHERE seq = $seq";
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        foreach (var item in delivered)
        {
            seq.Value = item.Seq;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public long Count()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM outbox";
        return (long)command.ExecuteScalar()!;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
