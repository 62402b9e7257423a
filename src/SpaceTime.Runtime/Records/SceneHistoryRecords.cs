using System.Text.Json;
using Npgsql;
using SpaceTime.Records;
using SpaceTime.Runtime.Scenes;

namespace SpaceTime.Runtime.Records;

/// <summary>Scene history entries on their way from the outbox to PostgreSQL's <c>scene_history</c> table.</summary>
public sealed class SceneHistoryRecords : IRecordKind
{
    public const string Name = "history";

    public string Kind => Name;

    public NpgsqlCommand Insert(OutboxItem item, string origin)
    {
        var entry = JsonSerializer.Deserialize<SceneHistoryEntry>(item.Payload, RecordOutbox.Json)!;
        var command = new NpgsqlCommand("""
            INSERT INTO scene_history (scene_path, scene_name, loaded_at, load_duration_ms, result, error, instance_id, origin, origin_seq)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (origin, origin_seq) DO NOTHING
            """);
        command.Parameters.AddWithValue(entry.ScenePath);
        command.Parameters.AddWithValue((object?)entry.SceneName ?? DBNull.Value);
        command.Parameters.AddWithValue(entry.LoadedAt.UtcDateTime);
        command.Parameters.AddWithValue((object?)entry.LoadDurationMs ?? DBNull.Value);
        command.Parameters.AddWithValue(entry.Result);
        command.Parameters.AddWithValue((object?)entry.Error ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)entry.InstanceId ?? DBNull.Value);
        command.Parameters.AddWithValue(origin);
        command.Parameters.AddWithValue(item.Seq);
        return command;
    }
}
