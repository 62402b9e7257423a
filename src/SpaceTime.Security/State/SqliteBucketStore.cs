using Microsoft.Data.Sqlite;

namespace SpaceTime.Security.State;

/// <summary>
/// Rate-limit buckets and violation counts shared by the processes on one data dir: <c>security/limits.db</c>, apart
/// from the security state because it is written on every request and worth nothing after a crash. So it is never
/// synced to disk (<c>synchronous = OFF</c>: still safe between processes, and a process killed mid-write loses at
/// most its last update), and a damaged file is simply started afresh — every client then gets a full budget.
/// </summary>
internal sealed class SqliteBucketStore : IDisposable
{
    public const string FileName = "limits.db";

    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();
    private readonly SqliteCommand _take;
    private long _writes;

    public SqliteBucketStore(string folder)
    {
        var path = Path.Combine(folder, FileName);
        _db = Open(path);
        try
        {
            Initialize();
        }
        catch (SqliteException)
        {
            _db.Dispose();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }

            _db = Open(path);
            Initialize();
        }

        // One statement per bucket: refill, take as many whole tokens as wanted and there, remember how many.
        const string refilled = "min($capacity, tokens + max(0, $now - updated_ms) * $rate)";
        const string granted = $"(CASE WHEN {refilled} >= 1 THEN min($want, CAST({refilled} AS INTEGER)) ELSE 0 END)";
        _take = _db.CreateCommand();
        _take.CommandText = $"""
            INSERT INTO buckets (client, scope, tokens, updated_ms, taken) VALUES ($client, $scope, $capacity - min($want, $capacity), $now, min($want, $capacity))
            ON CONFLICT (client, scope) DO UPDATE SET tokens = {refilled} - {granted}, taken = {granted}, updated_ms = $now
            RETURNING tokens, taken
            """;
        foreach (var name in new[] { "$client", "$scope", "$capacity", "$now", "$rate", "$want" })
        {
            _take.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _take.Prepare();
    }

    public BucketTake[] Take(string client, IReadOnlyList<BucketRequest> buckets, long nowMs)
    {
        var takes = new BucketTake[buckets.Count];
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            _take.Transaction = tx;
            for (var i = 0; i < buckets.Count; i++)
            {
                var (scope, perMinute, capacity, want) = buckets[i];
                _take.Parameters["$client"].Value = client;
                _take.Parameters["$scope"].Value = scope;
                _take.Parameters["$capacity"].Value = (double)capacity;
                _take.Parameters["$now"].Value = nowMs;
                _take.Parameters["$rate"].Value = perMinute / 60_000.0;
                _take.Parameters["$want"].Value = Math.Max(1, want);
                using var reader = _take.ExecuteReader();
                reader.Read();
                takes[i] = BucketTake.Of((int)reader.GetInt64(1), reader.GetDouble(0), perMinute, capacity);
            }

            if (++_writes % 4096 == 0)
            {
                // A bucket untouched for ten minutes is full again: the row says nothing a missing row does not.
                Execute("DELETE FROM buckets WHERE updated_ms < $old", ("$old", nowMs - 600_000));
            }

            tx.Commit();
            _take.Transaction = null;
        }

        return takes;
    }

    public int RecordViolation(string client, long nowMs, long windowMs)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            Execute("INSERT INTO violations (client, at_ms) VALUES ($client, $ms)", ("$client", client), ("$ms", nowMs));
            Execute("DELETE FROM violations WHERE at_ms < $old", ("$old", nowMs - windowMs));
            using var count = _db.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM violations WHERE client = $client";
            count.Parameters.AddWithValue("$client", client);
            var n = (long)count.ExecuteScalar()!;
            tx.Commit();
            return (int)n;
        }
    }

    /// <summary>Forgets a client's buckets and violations (its ban was lifted).</summary>
    public void Forget(string client)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            Execute("DELETE FROM buckets WHERE client = $client", ("$client", client));
            Execute("DELETE FROM violations WHERE client = $client", ("$client", client));
            tx.Commit();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _take.Dispose();
            _db.Dispose();
        }
    }

    private static SqliteConnection Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        db.Open();
        return db;
    }

    private void Initialize() => Execute("""
        PRAGMA busy_timeout = 10000;
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = OFF;
        CREATE TABLE IF NOT EXISTS buckets (client TEXT NOT NULL, scope TEXT NOT NULL, tokens REAL NOT NULL, updated_ms INTEGER NOT NULL, taken INTEGER NOT NULL, PRIMARY KEY (client, scope));
        CREATE TABLE IF NOT EXISTS violations (client TEXT NOT NULL, at_ms INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS violations_client ON violations (client);
        """);

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
