using System.Collections.Frozen;
using Npgsql;

namespace SpaceTime.Records;

/// <summary>
/// Moves records from the local <see cref="RecordOutbox"/> to PostgreSQL in order: each batch in one transaction,
/// removed from the outbox only after the commit (a crash in between delivers the batch again, and the
/// (origin, origin_seq) key keeps it once). While the database is unreachable the records wait, health says
/// <c>database: warn</c>, the log says so once, and delivery retries every second. Delivers the
/// <see cref="IRecordKind"/>s this process knows; when the manager and its game share a data dir, each moves its own
/// kinds (both know the audit trail; the inserts are idempotent, so delivering a record twice stores it once).
/// </summary>
public sealed partial class OutboxDelivery : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    private readonly NpgsqlDataSource _database;
    private readonly RecordOutbox _outbox;
    private readonly DatabaseHealth _health;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxDelivery> _logger;
    private readonly FrozenDictionary<string, IRecordKind> _kinds;
    private readonly SemaphoreSlim _signal = new(0);
    private bool _migrated;

    public OutboxDelivery(NpgsqlDataSource database, RecordOutbox outbox, IEnumerable<IRecordKind> kinds, DatabaseHealth health, TimeProvider time, ILogger<OutboxDelivery> logger)
    {
        (_database, _outbox, _health, _time, _logger) = (database, outbox, health, time, logger);
        _kinds = kinds.ToFrozenDictionary(k => k.Kind, StringComparer.Ordinal);
        _outbox.Enqueued += Wake;
    }

    /// <summary>Records waiting in the outbox.</summary>
    public long Backlog => _outbox.Count();

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
        var batch = _outbox.Peek(BatchSize, _kinds.Keys);
        if (batch.Count == 0)
        {
            return false;
        }

        await using (var connection = await _database.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            foreach (var item in batch)
            {
                await using var command = _kinds[item.Kind].Insert(item, _outbox.Origin);
                command.Connection = connection;
                command.Transaction = transaction;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        _outbox.Remove(batch);
        return batch.Count == BatchSize;
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
