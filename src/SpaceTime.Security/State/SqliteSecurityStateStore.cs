using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SpaceTime.Security.Storage;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.State;

/// <summary>
/// The embedded state: <c>&lt;data&gt;/security/state.db</c>, SQLite in WAL mode, shared by every process on the data
/// dir (the manager and its game, or several <c>spacetime serve</c>). Each change is one transaction, so two
/// processes writing at once, or one killed mid-write, leave it whole. Readers keep a view of keys, revocations and
/// bans and re-read it when the store's change counter moves, checked at most every 250 ms. When the data dir cannot be
/// written (disk full, read-only), a change that must last (revocation, rotation, ban, session) is refused with
/// <see cref="StorageUnavailableException"/> (503), while what only serves the request at hand — idle clocks and rate-limit
/// buckets — carries on in this process's memory until the disk recovers.
/// </summary>
public sealed class SqliteSecurityStateStore : ISecurityStateStore
{
    public const string FileName = "state.db";

    /// <summary>How stale the view may get before the change counter is checked again.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();
    private readonly byte[]? _environmentSecret;
    private readonly string? _environmentKeyId;
    private SecurityStateView _view = SecurityStateView.Empty;
    private long _version = -1;
    private long _checkedAt;
    private readonly SqliteBucketStore _buckets;

    // Used only while the data dir cannot be written.
    private readonly ConcurrentDictionary<string, long> _localSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Client, string Scope), (double Tokens, long UpdatedMs)> _localBuckets = [];
    private readonly ConcurrentDictionary<string, int> _localViolations = new(StringComparer.Ordinal);

    /// <param name="dataDir">The data dir; the database is <c>security/state.db</c> under it.</param>
    /// <param name="environmentSecret"><c>JWT_SECRET_KEY</c>, which is used as is and never written (only its id is).</param>
    public SqliteSecurityStateStore(string dataDir, byte[]? environmentSecret)
    {
        var folder = Path.Combine(dataDir, "security");
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Location = Path.Combine(folder, FileName);
        _environmentSecret = environmentSecret;
        _environmentKeyId = environmentSecret is null ? null : EnvironmentKeyId(environmentSecret);
        if (!File.Exists(Location))
        {
            // Created 0600 before SQLite opens it, so the keys are never readable by others, not even briefly.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var _ = new FileStream(Location, options);
        }

        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Location, Pooling = false, DefaultTimeout = 30 }.ToString());
        try
        {
            _db.Open();
            Execute("PRAGMA busy_timeout = 10000");
            Execute("PRAGMA journal_mode = WAL");
            Execute("PRAGMA synchronous = NORMAL");
            var check = Scalar("PRAGMA quick_check") as string;
            if (check != "ok")
            {
                throw new SqliteException($"integrity check failed: {check}", 11);
            }

            Execute("""
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS signing_keys (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, secret BLOB, created_ms INTEGER NOT NULL, valid_until_ms INTEGER);
                CREATE TABLE IF NOT EXISTS revoked (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, idle INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS sessions (seq INTEGER PRIMARY KEY AUTOINCREMENT, jti TEXT NOT NULL UNIQUE, subject TEXT NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
                CREATE INDEX IF NOT EXISTS sessions_subject ON sessions (subject);
                CREATE TABLE IF NOT EXISTS last_seen (jti TEXT PRIMARY KEY, at_ms INTEGER NOT NULL, expires_at INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS bans (client TEXT PRIMARY KEY, since_ms INTEGER NOT NULL, until_ms INTEGER NOT NULL, reason TEXT NOT NULL);
                INSERT OR IGNORE INTO meta (key, value) VALUES ('version', 0);
                """);
            _buckets = new SqliteBucketStore(folder);
        }
        catch (SqliteException e)
        {
            _db.Dispose();
            throw new SecurityConfigurationException(Location, "$",
                $"the security state database is damaged or unreadable ({e.Message}); restore it from a backup, or move it away to start with new signing keys and no revocations (every issued token then stops working)");
        }
    }

    public string Backend => "embedded";

    public string Location { get; }

    public StateHealth Health => new("pass", $"security state in {Location}");

    public SecurityStateView View
    {
        get
        {
            var now = Environment.TickCount64;
            if (now - Volatile.Read(ref _checkedAt) < RefreshInterval.TotalMilliseconds)
            {
                return Volatile.Read(ref _view);
            }

            lock (_lock)
            {
                try
                {
                    Refresh(force: false);
                    Volatile.Write(ref _checkedAt, Environment.TickCount64);
                }
                catch (SqliteException)
                {
                    // Busy beyond the timeout or an I/O error: answer from the last view and try again on the next request.
                }

                return _view;
            }
        }
    }

    /// <summary>Imports <c>tokens.json</c> and <c>signing-keys.json</c> written by earlier versions (once; then renamed *.migrated).</summary>
    public void MigrateLegacyFiles(string dataDir)
    {
        var legacy = LegacyStateFiles.Read(dataDir);
        if (legacy.Keys is null && legacy.Tokens is null)
        {
            return;
        }

        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            foreach (var key in legacy.Keys ?? [])
            {
                Execute("INSERT OR IGNORE INTO signing_keys (id, secret, created_ms, valid_until_ms) VALUES ($id, $secret, $created, $until)",
                    ("$id", key.Id), ("$secret", key.Secret.Length == 0 ? null : key.Secret), ("$created", key.CreatedAt.ToUnixTimeMilliseconds()),
                    ("$until", key.ValidUntil?.ToUnixTimeMilliseconds()));
            }

            foreach (var (jti, exp) in legacy.Tokens?.Revoked ?? [])
            {
                Execute("INSERT OR IGNORE INTO revoked (jti, expires_at, idle) VALUES ($jti, $exp, 0)", ("$jti", jti), ("$exp", exp));
            }

            foreach (var (subject, sessions) in legacy.Tokens?.Sessions ?? [])
            {
                foreach (var s in sessions)
                {
                    Execute("INSERT OR IGNORE INTO sessions (jti, subject, issued_at, expires_at) VALUES ($jti, $subject, $iat, $exp)",
                        ("$jti", s.Jti), ("$subject", subject), ("$iat", s.IssuedAt), ("$exp", s.ExpiresAt));
                }
            }

            BumpVersion();
            Commit(tx);
            LegacyStateFiles.MarkMigrated(legacy);
            Refresh(force: true);
        }
    }

    public void InitializeKeys(byte[]? environmentSecret, DateTimeOffset now)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            var ms = now.ToUnixTimeMilliseconds();
            Execute("DELETE FROM signing_keys WHERE valid_until_ms IS NOT NULL AND valid_until_ms <= $now AND secret IS NOT NULL", ("$now", ms));
            if (_environmentKeyId is not null)
            {
                var known = Scalar("SELECT COUNT(*) FROM signing_keys WHERE id = $id", ("$id", _environmentKeyId)) is long n && n > 0;
                if (!known)
                {
                    // A new JWT_SECRET_KEY supersedes whatever was current (keys rotated here included).
                    Execute("UPDATE signing_keys SET valid_until_ms = $now WHERE valid_until_ms IS NULL", ("$now", ms));
                    Execute("INSERT INTO signing_keys (id, secret, created_ms, valid_until_ms) VALUES ($id, NULL, $now, NULL)", ("$id", _environmentKeyId), ("$now", ms));
                }
            }

            var current = Scalar("SELECT COUNT(*) FROM signing_keys WHERE valid_until_ms IS NULL AND (secret IS NOT NULL OR id = $env)", ("$env", _environmentKeyId ?? "")) is long c && c > 0;
            if (!current)
            {
                InsertNewKey(ms);
            }

            BumpVersion();
            Commit(tx);
            Refresh(force: true);
        }
    }

    public SigningKey RotateKey(TimeSpan grace, DateTimeOffset now) => RotateKeyCreatedBy(DateTimeOffset.MaxValue, grace, now)!;

    public SigningKey? RotateKeyCreatedBy(DateTimeOffset createdBy, TimeSpan grace, DateTimeOffset now)
    {
        lock (_lock)
        {
            // One transaction: a second process waits for the first's commit, then finds a fresh key and does nothing.
            using var tx = _db.BeginTransaction();
            var created = Scalar("SELECT MAX(created_ms) FROM signing_keys WHERE valid_until_ms IS NULL") as long?;
            if (created is { } ms && ms > createdBy.ToUnixTimeMilliseconds())
            {
                return null;
            }

            Execute("UPDATE signing_keys SET valid_until_ms = $until WHERE valid_until_ms IS NULL", ("$until", (now + grace).ToUnixTimeMilliseconds()));
            Execute("DELETE FROM signing_keys WHERE valid_until_ms IS NOT NULL AND valid_until_ms <= $now AND secret IS NOT NULL", ("$now", now.ToUnixTimeMilliseconds()));
            var key = InsertNewKey(now.ToUnixTimeMilliseconds());
            BumpVersion();
            Commit(tx);
            Refresh(force: true);
            return key;
        }
    }

    public void Revoke(string jti, long fallbackExpiresAt, bool idleTimeout, DateTimeOffset now)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            var known = Scalar("SELECT expires_at FROM sessions WHERE jti = $jti", ("$jti", jti)) as long?
                        ?? Scalar("SELECT expires_at FROM revoked WHERE jti = $jti", ("$jti", jti)) as long?
                        ?? Scalar("SELECT expires_at FROM last_seen WHERE jti = $jti", ("$jti", jti)) as long?;
            Execute("INSERT INTO revoked (jti, expires_at, idle) VALUES ($jti, $exp, $idle) ON CONFLICT (jti) DO UPDATE SET idle = max(idle, excluded.idle)",
                ("$jti", jti), ("$exp", known ?? fallbackExpiresAt), ("$idle", idleTimeout ? 1 : 0));
            Execute("DELETE FROM sessions WHERE jti = $jti", ("$jti", jti));
            Prune(now);
            BumpVersion();
            Commit(tx);
            Refresh(force: true);
        }
    }

    public void AddSession(string subject, string jti, long issuedAt, long expiresAt, int maxSessions, DateTimeOffset now)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            Prune(now);
            Execute("INSERT INTO sessions (jti, subject, issued_at, expires_at) VALUES ($jti, $subject, $iat, $exp)",
                ("$jti", jti), ("$subject", subject), ("$iat", issuedAt), ("$exp", expiresAt));
            Execute("INSERT OR REPLACE INTO last_seen (jti, at_ms, expires_at) VALUES ($jti, $at, $exp)", ("$jti", jti), ("$at", now.ToUnixTimeMilliseconds()), ("$exp", expiresAt));
            var revokedAny = false;
            if (maxSessions > 0)
            {
                var surplus = Query("SELECT jti, expires_at FROM sessions WHERE subject = $subject ORDER BY seq DESC LIMIT -1 OFFSET $max",
                    r => (Jti: r.GetString(0), Exp: r.GetInt64(1)), ("$subject", subject), ("$max", maxSessions));
                foreach (var (old, exp) in surplus)
                {
                    Execute("INSERT OR IGNORE INTO revoked (jti, expires_at, idle) VALUES ($jti, $exp, 0)", ("$jti", old), ("$exp", exp));
                    Execute("DELETE FROM sessions WHERE jti = $jti", ("$jti", old));
                    revokedAny = true;
                }
            }

            if (revokedAny)
            {
                BumpVersion();
            }

            Commit(tx);
            if (revokedAny)
            {
                Refresh(force: true);
            }
        }
    }

    public int ActiveSessions(DateTimeOffset now)
    {
        lock (_lock)
        {
            return (int)(long)Scalar("SELECT COUNT(*) FROM sessions WHERE expires_at > $now", ("$now", now.ToUnixTimeSeconds()))!;
        }
    }

    public DateTimeOffset? LastSeen(string jti)
    {
        long? stored;
        lock (_lock)
        {
            stored = Scalar("SELECT at_ms FROM last_seen WHERE jti = $jti", ("$jti", jti)) as long?;
        }

        long? local = _localSeen.TryGetValue(jti, out var ms) ? ms : null;
        var latest = stored is null ? local : local is null ? stored : Math.Max(stored.Value, local.Value);
        return latest is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
    }

    public void Touch(string jti, DateTimeOffset at, long expiresAt)
    {
        try
        {
            lock (_lock)
            {
                Execute("INSERT INTO last_seen (jti, at_ms, expires_at) VALUES ($jti, $at, $exp) ON CONFLICT (jti) DO UPDATE SET at_ms = max(at_ms, excluded.at_ms)",
                    ("$jti", jti), ("$at", at.ToUnixTimeMilliseconds()), ("$exp", expiresAt));
            }

            _localSeen.TryRemove(jti, out _);
        }
        catch (StorageUnavailableException)
        {
            // The use still counts for this process's idle clock; the store learns of it with the next write that succeeds.
            _localSeen.AddOrUpdate(jti, at.ToUnixTimeMilliseconds(), (_, old) => Math.Max(old, at.ToUnixTimeMilliseconds()));
        }
    }

    public void Ban(ClientBan ban)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            Execute("INSERT OR REPLACE INTO bans (client, since_ms, until_ms, reason) VALUES ($client, $since, $until, $reason)",
                ("$client", ban.Client), ("$since", ban.Since.ToUnixTimeMilliseconds()), ("$until", ban.Until.ToUnixTimeMilliseconds()), ("$reason", ban.Reason));
            BumpVersion();
            Commit(tx);
            Refresh(force: true);
        }

        _buckets.Forget(ban.Client);
    }

    public bool Unban(string client)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            var removed = Execute("DELETE FROM bans WHERE client = $client", ("$client", client)) > 0;
            BumpVersion();
            Commit(tx);
            Refresh(force: true);
            _buckets.Forget(client);
            return removed;
        }
    }

    public ValueTask<BucketTake[]> TakeTokensAsync(string client, IReadOnlyList<BucketRequest> buckets, DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        try
        {
            return ValueTask.FromResult(_buckets.Take(client, buckets, ms));
        }
        catch (SqliteException e) when (IsStorageFault(e))
        {
            // The data dir cannot be written: this process's own buckets keep limiting until it can.
            lock (_localBuckets)
            {
                var takes = new BucketTake[buckets.Count];
                for (var i = 0; i < buckets.Count; i++)
                {
                    var scope = buckets[i].Scope;
                    takes[i] = TokenMath.Take(_localBuckets.TryGetValue((client, scope), out var state) ? state : null, buckets[i], ms, out var left);
                    _localBuckets[(client, scope)] = (left, ms);
                }

                return ValueTask.FromResult(takes);
            }
        }
    }

    public int RecordViolation(string client, DateTimeOffset now, TimeSpan window)
    {
        try
        {
            return _buckets.RecordViolation(client, now.ToUnixTimeMilliseconds(), (long)window.TotalMilliseconds);
        }
        catch (SqliteException e) when (IsStorageFault(e))
        {
            return _localViolations.AddOrUpdate(client, 1, (_, n) => n + 1);
        }
    }

    private static void Commit(SqliteTransaction transaction)
    {
        try
        {
            transaction.Commit();
        }
        catch (SqliteException e) when (IsStorageFault(e))
        {
            throw new StorageUnavailableException("security state", StorageUnavailableException.Describe(e), e);
        }
    }

    /// <summary>SQLite could not write for want of space or permission (full, read-only, I/O error, cannot open).</summary>
    private static bool IsStorageFault(SqliteException e) => e.SqliteErrorCode is 8 or 10 or 13 or 14;

    public void Dispose()
    {
        lock (_lock)
        {
            _db.Dispose();
        }

        _buckets.Dispose();
    }

    internal static string EnvironmentKeyId(byte[] secret) => "env-" + Convert.ToHexStringLower(SHA256.HashData(secret))[..12];

    private SigningKey InsertNewKey(long nowMs)
    {
        var key = new SigningKey("k-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), RandomNumberGenerator.GetBytes(32),
            DateTimeOffset.FromUnixTimeMilliseconds(nowMs), null);
        Execute("INSERT INTO signing_keys (id, secret, created_ms, valid_until_ms) VALUES ($id, $secret, $created, NULL)",
            ("$id", key.Id), ("$secret", key.Secret), ("$created", nowMs));
        return key;
    }

    private void Prune(DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        Execute("DELETE FROM revoked WHERE expires_at <= $now", ("$now", seconds));
        Execute("DELETE FROM sessions WHERE expires_at <= $now", ("$now", seconds));
        // Idle records live as long as their token: pruning them earlier would restart an idle clock.
        Execute("DELETE FROM last_seen WHERE expires_at <= $now", ("$now", seconds));
        Execute("DELETE FROM bans WHERE until_ms <= $now", ("$now", now.ToUnixTimeMilliseconds()));
    }

    private void BumpVersion() => Execute("UPDATE meta SET value = value + 1 WHERE key = 'version'");

    /// <summary>Re-reads the view when the change counter moved (or always, when forced). Caller holds the lock.</summary>
    private void Refresh(bool force)
    {
        var version = (long)Scalar("SELECT value FROM meta WHERE key = 'version'")!;
        if (!force && version == _version)
        {
            return;
        }

        var keys = Query("SELECT id, secret, created_ms, valid_until_ms FROM signing_keys ORDER BY seq",
                r => new SigningKey(r.GetString(0), r.IsDBNull(1) ? [] : (byte[])r[1], DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
                    r.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3))))
            .Select(k => k.Id == _environmentKeyId ? k with { Secret = _environmentSecret! } : k)
            .Where(k => k.Secret.Length > 0)
            .ToList();
        var revoked = Query("SELECT jti, expires_at, idle FROM revoked", r => new RevokedToken(r.GetString(0), r.GetInt64(1), r.GetInt64(2) != 0))
            .ToFrozenDictionary(r => r.Jti, StringComparer.Ordinal);
        var bans = Query("SELECT client, since_ms, until_ms, reason FROM bans", r => new ClientBan(r.GetString(0),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetString(3)))
            .ToFrozenDictionary(b => b.Client, StringComparer.Ordinal);
        Volatile.Write(ref _view, new SecurityStateView(keys, revoked, bans));
        _version = version;
    }

    private int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        try
        {
            return command.ExecuteNonQuery();
        }
        catch (SqliteException e) when (IsStorageFault(e))
        {
            throw new StorageUnavailableException("security state", StorageUnavailableException.Describe(e), e);
        }
    }

    private object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private SqliteCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = _db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}

/// <summary>Token-bucket arithmetic on wall-clock milliseconds, shared by the stores (processes share no monotonic clock).</summary>
internal static class TokenMath
{
    public static BucketTake Take((double Tokens, long UpdatedMs)? state, BucketRequest bucket, long nowMs, out double tokens)
    {
        var (_, perMinute, capacity, want) = bucket;
        tokens = state is { } s ? Math.Min(capacity, s.Tokens + (Math.Max(0, nowMs - s.UpdatedMs) / 1000.0 * perMinute / 60.0)) : capacity;
        var granted = tokens >= 1 ? (int)Math.Min(want, Math.Floor(tokens)) : 0;
        tokens -= granted;
        return BucketTake.Of(granted, tokens, perMinute, capacity);
    }
}
