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
        using var command = database.CreateCommand("""
            SELECT scene_path, scene_name, loaded_at, load_duration_ms, result, error, instance_id
            FROM scene_history ORDER BY id DESC LIMIT $1
            """);
        command.Parameters.AddWithValue(limit);
        using var reader = command.ExecuteReader();
        var entries = new List<SceneHistoryEntry>();
        while (reader.Read())
        {
            entries.Add(new SceneHistoryEntry(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero),
                reader.IsDBNull(3) ? null : reader.GetDouble(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return entries;
    }

    public long Count()
    {
        using var command = database.CreateCommand("SELECT COUNT(*) FROM scene_history");
        return (long)command.ExecuteScalar()!;
    }
}
