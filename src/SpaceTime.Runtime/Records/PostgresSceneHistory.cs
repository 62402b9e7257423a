using System.Text.Json;
using Npgsql;
using SpaceTime.Records;
using SpaceTime.Runtime.Scenes;

namespace SpaceTime.Runtime.Records;

/// <summary>
/// Scene history in PostgreSQL, shared by every instance: an entry is acknowledged once it is in the local
/// <see cref="RecordOutbox"/>; reads come from the database (all instances' entries, each with its instance id).
/// </summary>
public sealed class PostgresSceneHistory(NpgsqlDataSource database, RecordOutbox outbox) : ISceneHistory
{
    public string Backend => "postgresql";

    public void Add(SceneHistoryEntry entry) => outbox.Enqueue(SceneHistoryRecords.Name, JsonSerializer.Serialize(entry, RecordOutbox.Json));

    public IReadOnlyList<SceneHistoryEntry> Recent(int limit)
    {
        using var command = database.CreateCommand($"SELECT {SceneHistoryEntry.Columns} FROM scene_history ORDER BY id DESC LIMIT $1");
        command.Parameters.AddWithValue(limit);
        using var reader = command.ExecuteReader();
        return SceneHistoryEntry.ReadAll(reader, r => new DateTimeOffset(r.GetDateTime(2), TimeSpan.Zero));
    }

    public long Count()
    {
        using var command = database.CreateCommand("SELECT COUNT(*) FROM scene_history");
        return (long)command.ExecuteScalar()!;
    }
}
