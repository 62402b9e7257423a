using System.Globalization;
using System.Text.Json;
using Npgsql;
using SpaceTime.Security.Audit;

namespace SpaceTime.Records;

/// <summary>
/// The audit trail's way to PostgreSQL's <c>audit_log</c> table: every record the process appends to the data dir's
/// audit trail is also put in the outbox (before it is acknowledged), and delivered from there.
/// </summary>
public sealed class AuditRecords : IRecordKind, IAuditForwarder
{
    private readonly RecordOutbox _outbox;

    public AuditRecords(RecordOutbox outbox, AuditLog audit)
    {
        _outbox = outbox;
        audit.Forwarder = this;
    }

    public string Kind => "audit";

    public void Forward(AuditRecord record) => _outbox.Enqueue(Kind, JsonSerializer.Serialize(record, RecordOutbox.Json));

    public NpgsqlCommand Insert(OutboxItem item, string origin)
    {
        var record = JsonSerializer.Deserialize<AuditRecord>(item.Payload, RecordOutbox.Json)!;
        var command = new NpgsqlCommand("""
            INSERT INTO audit_log (logged_at, instance_id, event, result, client, endpoint, subject, role, status, details, origin, origin_seq)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (origin, origin_seq) DO NOTHING
            """);
        command.Parameters.AddWithValue(DateTime.Parse(record.Timestamp, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        command.Parameters.AddWithValue((object?)record.InstanceId ?? DBNull.Value);
        command.Parameters.AddWithValue(record.Event);
        command.Parameters.AddWithValue(record.Result);
        command.Parameters.AddWithValue((object?)record.Client ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Endpoint ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Subject ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Role ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Status ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Details ?? DBNull.Value);
        command.Parameters.AddWithValue(origin);
        command.Parameters.AddWithValue(item.Seq);
        return command;
    }
}
