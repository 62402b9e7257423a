using System.Text.Json;
using Npgsql;
using SpaceTime.Runtime.Scenes;
using SpaceTime.Security.Audit;

namespace SpaceTime.Runtime.Records;

/// <summary>
/// Moves records from the local <see cref="RecordOutbox"/> to PostgreSQL in order: each batch in one transaction,
/// removed from the outbox only after the commit (a crash in between delivers the batch again, and the
/// (origin, origin_seq) key keeps it once). While the database is unreachable the records wait, health says
/// <c>database: warn</c>, the log says so once, and delivery retries every second. Also forwards audit records.
/// </summary>
public sealed partial class OutboxDelivery : BackgroundService, IAuditForwarder
{
    private const int BatchSize = 500;
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    private readonly NpgsqlDataSource _database;
    private readonly RecordOutbox _outbox;
    private readonly DatabaseHealth _health;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxDelivery> _logger;
    private readonly SemaphoreSlim _signal = new(0);
    private bool _migrated;

    public OutboxDelivery(NpgsqlDataSource database, RecordOutbox outbox, DatabaseHealth health, AuditLog audit, TimeProvider time, ILogger<OutboxDelivery> logger)
    {
        (_database, _outbox, _health, _time, _logger) = (database, outbox, health, time, logger);
        _outbox.Enqueued += Wake;
        audit.Forwarder = this;
    }

    /// <summary>Records waiting in the outbox.</summary>
    public long Backlog => _outbox.Count();

    public void Forward(AuditRecord record) => _outbox.Enqueue(RecordOutbox.Audit, JsonSerializer.Serialize(record, PostgresSceneHistory.Json));

    public override void Dispose()
    {
        _outbox.Enqueued -= Wake;
        _signal.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            bool more;
            try
            {
                if (!_migrated)
                {
                    await PostgresMigrations.ApplyAsync(_database, stoppingToken);
                    _migrated = true;
                }

                more = await DeliverBatchAsync(stoppingToken);
                if (_health.Reachable())
                {
                    LogRecovered(_logger, _health.Display!, _outbox.Count());
                }
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or IOException && !stoppingToken.IsCancellationRequested)
            {
                if (_health.Unreachable(e.Message, _time.GetUtcNow()))
                {
                    LogUnreachable(_logger, _health.Display!, e.Message);
                }

                await Task.Delay(Retry, _time, stoppingToken).ConfigureAwait(false);
                continue;
            }

            if (!more)
            {
                // Woken by a new record; the timeout also picks up records another process on this data dir left.
                await _signal.WaitAsync(Retry, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Delivers the oldest batch; true when more may be waiting.</summary>
    private async Task<bool> DeliverBatchAsync(CancellationToken cancellationToken)
    {
        var batch = _outbox.Peek(BatchSize);
        if (batch.Count == 0)
        {
            return false;
        }

        await using (var connection = await _database.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            foreach (var item in batch)
            {
                await using var command = item.Kind == RecordOutbox.History ? History(item) : Audit(item);
                command.Connection = connection;
                command.Transaction = transaction;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        _outbox.Remove(batch);
        return batch.Count == BatchSize;
    }

    private NpgsqlCommand History(OutboxItem item)
    {
        var entry = JsonSerializer.Deserialize<SceneHistoryEntry>(item.Payload, PostgresSceneHistory.Json)!;
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
        command.Parameters.AddWithValue(_outbox.Origin);
        command.Parameters.AddWithValue(item.Seq);
        return command;
    }

    private NpgsqlCommand Audit(OutboxItem item)
    {
        var record = JsonSerializer.Deserialize<AuditRecord>(item.Payload, PostgresSceneHistory.Json)!;
        var command = new NpgsqlCommand("""
            INSERT INTO audit_log (logged_at, instance_id, event, result, client, endpoint, subject, role, status, details, origin, origin_seq)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (origin, origin_seq) DO NOTHING
            """);
        command.Parameters.AddWithValue(DateTime.Parse(record.Timestamp, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal));
        command.Parameters.AddWithValue((object?)record.InstanceId ?? DBNull.Value);
        command.Parameters.AddWithValue(record.Event);
        command.Parameters.AddWithValue(record.Result);
        command.Parameters.AddWithValue((object?)record.Client ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Endpoint ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Subject ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Role ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Status ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Details ?? DBNull.Value);
        command.Parameters.AddWithValue(_outbox.Origin);
        command.Parameters.AddWithValue(item.Seq);
        return command;
    }

    private void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "PostgreSQL at {Database} is unreachable ({Reason}); records wait in the data dir's outbox and are delivered when it returns")]
    private static partial void LogUnreachable(ILogger logger, string database, string reason);

    [LoggerMessage(2, LogLevel.Information, "PostgreSQL at {Database} is reachable again; delivering {Backlog} waiting records")]
    private static partial void LogRecovered(ILogger logger, string database, long backlog);
}
