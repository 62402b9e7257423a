using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using StackExchange.Redis;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.State;

/// <summary>Raised when a change needs the shared state and it cannot be reached (answered 503 with Retry-After).</summary>
public sealed class SecurityStateUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The distributed state: keys, revocations, sessions, idle clocks, rate-limit buckets and bans in Redis, shared by
/// every instance. Each change bumps a version and is published on a channel; every instance re-reads its view of
/// keys, revocations and bans on the message, and polls the version every 500 ms in case a message was missed.
/// When Redis is unreachable, requests are served from that view (revocations seen before still apply), limits
/// fall back to this instance's own buckets, revocations and bans made meanwhile apply here and are written when
/// Redis returns; <see cref="Health"/> says <c>warn</c>, and the outage is logged once.
/// </summary>
public sealed partial class RedisSecurityStateStore : ISecurityStateStore
{
    // One hash tag, so every key lives in one slot and the scripts also run on a Redis cluster.
    private const string Prefix = "{spacetime}:";
    private static readonly RedisKey KeysKey = Prefix + "keys";
    private static readonly RedisKey RevokedKey = Prefix + "revoked";
    private static readonly RedisKey SessionsKey = Prefix + "sessions";
    private static readonly RedisKey SessionListPrefix = Prefix + "sessions:";
    private static readonly RedisKey BansKey = Prefix + "bans";
    private static readonly RedisKey VersionKey = Prefix + "version";
    private static readonly RedisKey SequenceKey = Prefix + "seq";
    private static readonly RedisChannel Changes = RedisChannel.Literal(Prefix + "changes");
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private const string AddSessionScript = """
        local seq = redis.call('INCR', KEYS[4])
        redis.call('ZADD', KEYS[1] .. ARGV[2], seq, ARGV[1])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. '|' .. ARGV[2])
        redis.call('SET', KEYS[5] .. ARGV[1], ARGV[6], 'PXAT', tonumber(ARGV[3]) * 1000)
        local now = tonumber(ARGV[4])
        local live = {}
        for _, m in ipairs(redis.call('ZRANGE', KEYS[1] .. ARGV[2], 0, -1)) do
          local v = redis.call('HGET', KEYS[2], m)
          local e = v and tonumber(string.match(v, '^(%d+)')) or 0
          if e <= now then
            redis.call('ZREM', KEYS[1] .. ARGV[2], m)
            redis.call('HDEL', KEYS[2], m)
          else
            table.insert(live, m)
          end
        end
        local max = tonumber(ARGV[5])
        local revoked = 0
        while max > 0 and #live > max do
          local old = table.remove(live, 1)
          local v = redis.call('HGET', KEYS[2], old)
          redis.call('HSET', KEYS[3], old, string.match(v, '^(%d+)') .. '|0')
          redis.call('ZREM', KEYS[1] .. ARGV[2], old)
          redis.call('HDEL', KEYS[2], old)
          revoked = revoked + 1
        end
        return revoked
        """;

    private const string RevokeScript = """
        local s = redis.call('HGET', KEYS[2], ARGV[1])
        local exp = ARGV[2]
        local idle = ARGV[3]
        if s then
          exp = string.match(s, '^(%d+)')
          redis.call('ZREM', KEYS[3] .. string.match(s, '^%d+|(.*)$'), ARGV[1])
          redis.call('HDEL', KEYS[2], ARGV[1])
        else
          local r = redis.call('HGET', KEYS[1], ARGV[1])
          if r then
            exp = string.match(r, '^(%d+)')
            if string.match(r, '|1$') then idle = '1' end
          end
        end
        redis.call('HSET', KEYS[1], ARGV[1], exp .. '|' .. idle)
        return exp
        """;

    // One hash per client (fields "<scope>|t", "<scope>|u"), so lifting a ban refills all its buckets at once.
    // KEYS: the client's buckets, the bans hash. ARGV: now, client, then (scope, per minute, capacity, wanted) per bucket;
    // returns the tokens granted (as many wanted as are there whole) and tokens left per bucket, or {-1, ban} when the
    // client is banned (by any instance, even one whose change message has not arrived yet), taking nothing.
    private const string TakeTokensScript = """
        local now = tonumber(ARGV[1])
        local ban = redis.call('HGET', KEYS[2], ARGV[2])
        if ban and tonumber(string.match(ban, '^%d+|(%d+)|')) > now then
          return {-1, ban}
        end
        local out = {}
        local ttl = 1000
        for i = 3, #ARGV, 4 do
          local scope = ARGV[i]
          local rate = tonumber(ARGV[i + 1]) / 60000
          local cap = tonumber(ARGV[i + 2])
          local want = tonumber(ARGV[i + 3])
          local state = redis.call('HMGET', KEYS[1], scope .. '|t', scope .. '|u')
          local t = tonumber(state[1]) or cap
          local u = tonumber(state[2]) or now
          t = math.min(cap, t + math.max(0, now - u) * rate)
          local taken = 0
          if t >= 1 then
            taken = math.min(want, math.floor(t))
            t = t - taken
          end
          redis.call('HSET', KEYS[1], scope .. '|t', tostring(t), scope .. '|u', ARGV[1])
          ttl = math.max(ttl, math.ceil((cap - t) / rate) + 1000)
          table.insert(out, taken)
          table.insert(out, tostring(t))
        end
        if redis.call('PTTL', KEYS[1]) < ttl then
          redis.call('PEXPIRE', KEYS[1], ttl)
        end
        return out
        """;

    private const string ViolationScript = """
        local n = redis.call('INCR', KEYS[1])
        if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return n
        """;

    private readonly ConnectionMultiplexer _redis;
    private readonly RedisSettings _settings;
    private readonly byte[]? _environmentSecret;
    private readonly string? _environmentKeyId;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly ConcurrentDictionary<(string Client, string Scope), (double Tokens, long UpdatedMs)> _localBuckets = new();
    private readonly ConcurrentDictionary<string, int> _localViolations = new(StringComparer.Ordinal);
    private readonly List<Action<IDatabase>> _pending = [];
    private SecurityStateView _view = SecurityStateView.Empty;
    private long _version = -1;
    private volatile bool _down;
    private DateTimeOffset? _downSince;
    private string? _downReason;
    private Task? _watcher;

    private RedisSecurityStateStore(ConnectionMultiplexer redis, RedisSettings settings, byte[]? environmentSecret)
    {
        _redis = redis;
        _settings = settings;
        _environmentSecret = environmentSecret;
        _environmentKeyId = environmentSecret is null ? null : SqliteSecurityStateStore.EnvironmentKeyId(environmentSecret);
    }

    /// <summary>Where outages are reported (set once the host's logging exists; the store is opened before it).</summary>
    public ILogger Logger { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public string Backend => "redis";

    public string Location => $"redis {_settings}";

    public SecurityStateView View => Volatile.Read(ref _view);

    public StateHealth Health
    {
        get
        {
            lock (_lock)
            {
                return _downSince is { } since
                    ? new StateHealth("warn", $"Redis at {_settings} unreachable since {since:O} ({_downReason}); serving from the local cache")
                    : new StateHealth("pass", $"Redis at {_settings} connected");
            }
        }
    }

    /// <summary>Connects (start-up fails, naming the server, when it cannot), reads the state and starts watching it.</summary>
    public static RedisSecurityStateStore Connect(RedisSettings settings, byte[]? environmentSecret, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new ConfigurationOptions
        {
            EndPoints = { { settings.Host, settings.Port } },
            User = settings.User,
            Password = settings.Password,
            Ssl = settings.Tls,
            DefaultDatabase = settings.Database,
            AbortOnConnectFail = false,
            ConnectTimeout = 3000,
            SyncTimeout = 2000,
            AsyncTimeout = 2000,
            ConnectRetry = 2,
            ReconnectRetryPolicy = new LinearRetry(500),
            // While disconnected, fail at once (and serve from the local view) rather than queue and stall requests.
            BacklogPolicy = BacklogPolicy.FailFast,
            ClientName = "spacetime",
        };
        var redis = ConnectionMultiplexer.Connect(options);
        var store = new RedisSecurityStateStore(redis, settings, environmentSecret);
        try
        {
            store.InitializeKeys(environmentSecret, time.GetUtcNow());
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException or SecurityStateUnavailableException)
        {
            store.Dispose();
            throw new SecurityConfigurationException("REDIS_URL / REDIS_HOST", "redis",
                $"the Redis server at {settings} is not reachable ({FirstLine(e)}); start it, or unset REDIS_URL/REDIS_HOST to keep the security state in the data dir");
        }

        redis.ConnectionFailed += (_, e) => store.MarkDown(e.Exception?.Message ?? e.FailureType.ToString());
        redis.ConnectionRestored += (_, _) => store.Signal();
        redis.GetSubscriber().Subscribe(Changes, (_, _) => store.Signal());
        store._watcher = Task.Run(() => store.WatchAsync(store._stop.Token));
        return store;
    }

    public void InitializeKeys(byte[]? environmentSecret, DateTimeOffset now)
    {
        UpdateKeys(keys =>
        {
            var ms = now.ToUnixTimeMilliseconds();
            keys.RemoveAll(k => k.ValidUntilMs is { } until && until <= ms && k.Secret is not null);
            if (_environmentKeyId is not null && keys.All(k => k.Id != _environmentKeyId))
            {
                // A new JWT_SECRET_KEY supersedes whatever was current (keys rotated by any instance included).
                keys = [.. keys.Select(k => k.ValidUntilMs is null ? k with { ValidUntilMs = ms } : k), new StoredKey(_environmentKeyId, null, ms, null)];
            }

            if (!keys.Any(k => k.ValidUntilMs is null && (k.Secret is not null || k.Id == _environmentKeyId)))
            {
                keys.Add(NewKey(ms));
            }

            return keys;
        });
        Resync();
    }

    public SigningKey RotateKey(TimeSpan grace, DateTimeOffset now) => RotateKeyCreatedBy(DateTimeOffset.MaxValue, grace, now)!;

    public SigningKey? RotateKeyCreatedBy(DateTimeOffset createdBy, TimeSpan grace, DateTimeOffset now)
    {
        StoredKey? created = null;
        // UpdateKeys retries on a concurrent change, so the age is judged on the keys the rotation replaces.
        UpdateKeys(keys =>
        {
            created = null;
            var current = keys.Where(k => k.ValidUntilMs is null).Select(k => (long?)k.CreatedMs).Max();
            if (current is { } ms && ms > createdBy.ToUnixTimeMilliseconds())
            {
                return keys;
            }

            var nowMs = now.ToUnixTimeMilliseconds();
            var until = (now + grace).ToUnixTimeMilliseconds();
            keys = [.. keys.Select(k => k.ValidUntilMs is null ? k with { ValidUntilMs = until } : k).Where(k => k.ValidUntilMs is not { } u || u > nowMs || k.Secret is null)];
            created = NewKey(nowMs);
            keys.Add(created);
            return keys;
        });
        if (created is null)
        {
            return null;
        }

        ResyncOrSignal();
        return ToSigningKey(created);
    }

    public void Revoke(string jti, long fallbackExpiresAt, bool idleTimeout, DateTimeOffset now)
    {
        var idle = idleTimeout ? "1" : "0";
        void Write(IDatabase db)
        {
            db.ScriptEvaluate(RevokeScript, [RevokedKey, SessionsKey, SessionListPrefix], [jti, fallbackExpiresAt, idle]);
            Publish(db);
        }

        if (!TryWrite(Write))
        {
            // In force here at once; written to Redis when it is back.
            Apply(view => new SecurityStateView(view.Keys,
                view.Revoked.Concat([KeyValuePair.Create(jti, new RevokedToken(jti, fallbackExpiresAt, idleTimeout))])
                    .GroupBy(p => p.Key).ToFrozenDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal), view.Bans));
        }
    }

    public void AddSession(string subject, string jti, long issuedAt, long expiresAt, int maxSessions, DateTimeOffset now)
    {
        TryRead(db =>
        {
            var revoked = (long)db.ScriptEvaluate(AddSessionScript, [SessionListPrefix, SessionsKey, RevokedKey, SequenceKey, SeenKey("")],
                [jti, subject, expiresAt, now.ToUnixTimeSeconds(), maxSessions, now.ToUnixTimeMilliseconds()]);
            if (revoked > 0)
            {
                Publish(db);
            }

            return revoked;
        }, 0L);
    }

    public int ActiveSessions(DateTimeOffset now) => TryRead(db =>
    {
        var seconds = now.ToUnixTimeSeconds();
        return db.HashValues(SessionsKey).Count(v => long.TryParse(((string)v!).Split('|')[0], CultureInfo.InvariantCulture, out var exp) && exp > seconds);
    }, 0);

    public DateTimeOffset? LastSeen(string jti) => TryRead(db =>
    {
        var value = db.StringGet(SeenKey(jti));
        return value.HasValue && long.TryParse((string)value!, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
    }, null);

    public void Touch(string jti, DateTimeOffset at, long expiresAt) => TryRead(db =>
    {
        db.StringSet(SeenKey(jti), at.ToUnixTimeMilliseconds(), DateTimeOffset.FromUnixTimeSeconds(expiresAt) - at, flags: CommandFlags.FireAndForget);
        return true;
    }, false);

    public void Ban(ClientBan ban)
    {
        void Write(IDatabase db)
        {
            db.HashSet(BansKey, ban.Client, $"{ban.Since.ToUnixTimeMilliseconds()}|{ban.Until.ToUnixTimeMilliseconds()}|{ban.Reason}");
            db.KeyDelete(ViolationKey(ban.Client));
            Publish(db);
        }

        if (!TryWrite(Write))
        {
            Apply(view => new SecurityStateView(view.Keys, view.Revoked,
                view.Bans.Where(b => b.Key != ban.Client).Append(KeyValuePair.Create(ban.Client, ban)).ToFrozenDictionary(StringComparer.Ordinal)));
        }
    }

    public bool Unban(string client)
    {
        var known = View.Bans.ContainsKey(client);
        _localViolations.TryRemove(client, out _);
        foreach (var key in _localBuckets.Keys.Where(k => k.Client == client))
        {
            _localBuckets.TryRemove(key, out _);
        }

        var removed = known;
        void Write(IDatabase db)
        {
            removed = db.HashDelete(BansKey, client) || known;
            db.KeyDelete([ViolationKey(client), BucketKey(client)]);
            Publish(db);
        }

        if (!TryWrite(Write))
        {
            Apply(view => new SecurityStateView(view.Keys, view.Revoked, view.Bans.Where(b => b.Key != client).ToFrozenDictionary(StringComparer.Ordinal)));
        }

        return removed;
    }

    public async ValueTask<BucketTake[]> TakeTokensAsync(string client, IReadOnlyList<BucketRequest> buckets, DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        if (!_down)
        {
            try
            {
                var args = new RedisValue[2 + (4 * buckets.Count)];
                (args[0], args[1]) = (ms, client);
                for (var i = 0; i < buckets.Count; i++)
                {
                    (args[2 + (4 * i)], args[3 + (4 * i)], args[4 + (4 * i)], args[5 + (4 * i)]) = (buckets[i].Scope, buckets[i].PerMinute, buckets[i].Capacity, buckets[i].Want);
                }

                var result = (RedisResult[])(await _redis.GetDatabase().ScriptEvaluateAsync(TakeTokensScript, [BucketKey(client), BansKey], args))!;
                var takes = new BucketTake[buckets.Count];
                if ((long)result[0] == -1)
                {
                    // Banned elsewhere a moment ago: in force here now, before the change message arrives.
                    var ban = ParseBan(client, (string)result[1]!);
                    Apply(view => new SecurityStateView(view.Keys, view.Revoked,
                        view.Bans.Where(b => b.Key != client).Append(KeyValuePair.Create(client, ban)).ToFrozenDictionary(StringComparer.Ordinal)));
                    Array.Fill(takes, new BucketTake(0, 0, (ban.Until - now).TotalSeconds, (ban.Until - now).TotalSeconds));
                    return takes;
                }

                for (var i = 0; i < buckets.Count; i++)
                {
                    var tokens = double.Parse((string)result[(2 * i) + 1]!, CultureInfo.InvariantCulture);
                    takes[i] = BucketTake.Of((int)(long)result[2 * i], tokens, buckets[i].PerMinute, buckets[i].Capacity);
                }

                return takes;
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
                MarkDown(e.Message);
            }
        }

        // Redis is down: this instance's own buckets keep limiting until it is back.
        lock (_localBuckets)
        {
            var takes = new BucketTake[buckets.Count];
            for (var i = 0; i < buckets.Count; i++)
            {
                var scope = buckets[i].Scope;
                takes[i] = TokenMath.Take(_localBuckets.TryGetValue((client, scope), out var s) ? s : null, buckets[i], ms, out var left);
                _localBuckets[(client, scope)] = (left, ms);
            }

            return takes;
        }
    }

    public int RecordViolation(string client, DateTimeOffset now, TimeSpan window)
    {
        var count = TryRead(db => (int)(long)db.ScriptEvaluate(ViolationScript, [ViolationKey(client)], [(long)window.TotalMilliseconds]), -1);
        return count >= 0 ? count : _localViolations.AddOrUpdate(client, 1, (_, n) => n + 1);
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _watcher?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // Cancelled.
        }

        _redis.Dispose();
        _stop.Dispose();
    }

    /// <summary>A ban as stored in the bans hash: <c>since-ms|until-ms|reason</c>.</summary>
    private static ClientBan ParseBan(string client, string stored)
    {
        var parts = stored.Split('|', 3);
        return new ClientBan(client, DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[0], CultureInfo.InvariantCulture)),
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[1], CultureInfo.InvariantCulture)), parts[2]);
    }

    private static RedisKey SeenKey(string jti) => Prefix + "seen:" + jti;

    private static RedisKey BucketKey(string client) => Prefix + "rl:" + client;

    private static RedisKey ViolationKey(string client) => Prefix + "violations:" + client;

    private static StoredKey NewKey(long nowMs) =>
        new("k-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), nowMs, null);

    private static string FirstLine(Exception e) => e.Message.Split('\n')[0].Trim();

    private static void Publish(IDatabase db)
    {
        db.StringIncrement(VersionKey);
        db.Publish(Changes, "changed", CommandFlags.FireAndForget);
    }

    private SigningKey? ToSigningKey(StoredKey k)
    {
        var secret = k.Id == _environmentKeyId ? _environmentSecret : k.Secret is null ? null : Convert.FromBase64String(k.Secret);
        return secret is null ? null : new SigningKey(k.Id, secret, DateTimeOffset.FromUnixTimeMilliseconds(k.CreatedMs),
            k.ValidUntilMs is { } until ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null);
    }

    /// <summary>Read-modify-write of the key list, retried when another instance changed it in between.</summary>
    private void UpdateKeys(Func<List<StoredKey>, List<StoredKey>> change)
    {
        var db = _redis.GetDatabase();
        try
        {
            for (var attempt = 0; attempt < 20; attempt++)
            {
                var before = db.StringGet(KeysKey);
                var keys = before.HasValue ? JsonSerializer.Deserialize<List<StoredKey>>((string)before!) ?? [] : [];
                var after = JsonSerializer.Serialize(change(keys));
                var transaction = db.CreateTransaction();
                transaction.AddCondition(before.HasValue ? Condition.StringEqual(KeysKey, before) : Condition.KeyNotExists(KeysKey));
                _ = transaction.StringSetAsync(KeysKey, after);
                _ = transaction.StringIncrementAsync(VersionKey);
                if (transaction.Execute())
                {
                    db.Publish(Changes, "keys", CommandFlags.FireAndForget);
                    return;
                }
            }

            throw new InvalidOperationException("the signing keys in Redis kept changing; try again");
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            MarkDown(e.Message);
            throw new SecurityStateUnavailableException($"the shared security state (Redis at {_settings}) is unreachable", e);
        }
    }

    private T TryRead<T>(Func<IDatabase, T> read, T fallback)
    {
        if (_down)
        {
            return fallback;
        }

        try
        {
            return read(_redis.GetDatabase());
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            MarkDown(e.Message);
            return fallback;
        }
    }

    /// <summary>Writes now, or queues the write for when Redis is back (false).</summary>
    private bool TryWrite(Action<IDatabase> write)
    {
        if (!_down)
        {
            try
            {
                write(_redis.GetDatabase());
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
                MarkDown(e.Message);
                lock (_lock)
                {
                    _pending.Add(write);
                }

                return false;
            }

            ResyncOrSignal();
            return true;
        }

        lock (_lock)
        {
            _pending.Add(write);
        }

        return false;
    }

    /// <summary>Re-reads the view now so this process sees its own change at once; if that fails, the watcher retries.</summary>
    private void ResyncOrSignal()
    {
        try
        {
            Resync();
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            Signal();
        }
    }

    private void Apply(Func<SecurityStateView, SecurityStateView> change)
    {
        lock (_lock)
        {
            Volatile.Write(ref _view, change(_view));
        }
    }

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A resync is already due.
        }
    }

    private void MarkDown(string reason)
    {
        lock (_lock)
        {
            if (_down)
            {
                return;
            }

            _downSince = DateTimeOffset.UtcNow;
            _downReason = reason.Split('\n')[0].Trim();
            _down = true;
        }

        LogDown(Logger, _settings.ToString(), _downReason);
    }

    /// <summary>Polls the version (and wakes on change messages) and re-reads the view; after an outage, writes what was queued first.</summary>
    private async Task WatchAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _changed.WaitAsync(PollInterval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                if (_down)
                {
                    Recover();
                }
                else
                {
                    var version = (long?)_redis.GetDatabase().StringGet(VersionKey) ?? 0;
                    if (version != Interlocked.Read(ref _version))
                    {
                        Resync();
                    }
                }
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
                MarkDown(e.Message);
            }
            catch (Exception e) when (e is JsonException or FormatException or OverflowException or IndexOutOfRangeException)
            {
                // Something else wrote our keys in a shape we do not read: keep the last good view and say so.
                LogUnreadable(Logger, _settings.ToString(), e.Message);
            }
        }
    }

    private void Recover()
    {
        var db = _redis.GetDatabase();
        db.Ping();
        RestoreFromView(db);
        List<Action<IDatabase>> pending;
        lock (_lock)
        {
            pending = [.. _pending];
        }

        foreach (var write in pending)
        {
            write(db);
        }

        lock (_lock)
        {
            _pending.RemoveRange(0, pending.Count);
            _downSince = null;
            _down = false;
        }

        _localBuckets.Clear();
        _localViolations.Clear();
        Resync();
        LogRestored(Logger, _settings.ToString(), pending.Count);
    }

    /// <summary>
    /// After an outage Redis may come back empty (restarted without persistence): what this instance knew is written
    /// back where missing, so keys, revocations and bans are not lost with it.
    /// </summary>
    private void RestoreFromView(IDatabase db)
    {
        var view = View;
        if (!db.KeyExists(KeysKey) && view.Keys.Count > 0)
        {
            var keys = view.Keys.Select(k => new StoredKey(k.Id, k.Id == _environmentKeyId ? null : Convert.ToBase64String(k.Secret),
                k.CreatedAt.ToUnixTimeMilliseconds(), k.ValidUntil?.ToUnixTimeMilliseconds())).ToList();
            db.StringSet(KeysKey, JsonSerializer.Serialize(keys), when: When.NotExists);
        }

        foreach (var r in view.Revoked.Values)
        {
            db.HashSet(RevokedKey, r.Jti, $"{r.ExpiresAt}|{(r.IdleTimeout ? 1 : 0)}", When.NotExists);
        }

        foreach (var b in view.Bans.Values)
        {
            db.HashSet(BansKey, b.Client, $"{b.Since.ToUnixTimeMilliseconds()}|{b.Until.ToUnixTimeMilliseconds()}|{b.Reason}", When.NotExists);
        }

        Publish(db);
    }

    /// <summary>Reads keys, revocations and bans into a new view.</summary>
    private void Resync()
    {
        var db = _redis.GetDatabase();
        var version = (long?)db.StringGet(VersionKey) ?? 0;
        var stored = db.StringGet(KeysKey);
        var keys = (stored.HasValue ? JsonSerializer.Deserialize<List<StoredKey>>((string)stored!) ?? [] : [])
            .Select(ToSigningKey).OfType<SigningKey>().ToList();
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var revoked = new Dictionary<string, RevokedToken>(StringComparer.Ordinal);
        var expired = new List<RedisValue>();
        foreach (var entry in db.HashGetAll(RevokedKey))
        {
            var parts = ((string)entry.Value!).Split('|');
            var exp = long.Parse(parts[0], CultureInfo.InvariantCulture);
            if (exp <= seconds)
            {
                expired.Add(entry.Name);
                continue;
            }

            revoked[(string)entry.Name!] = new RevokedToken((string)entry.Name!, exp, parts.Length > 1 && parts[1] == "1");
        }

        if (expired.Count > 0)
        {
            db.HashDelete(RevokedKey, [.. expired], CommandFlags.FireAndForget);
        }

        var now = DateTimeOffset.UtcNow;
        var bans = new Dictionary<string, ClientBan>(StringComparer.Ordinal);
        foreach (var entry in db.HashGetAll(BansKey))
        {
            var ban = ParseBan((string)entry.Name!, (string)entry.Value!);
            if (ban.Until > now)
            {
                bans[ban.Client] = ban;
            }
            else
            {
                db.HashDelete(BansKey, entry.Name, CommandFlags.FireAndForget);
            }
        }

        lock (_lock)
        {
            Volatile.Write(ref _view, new SecurityStateView(keys, revoked.ToFrozenDictionary(StringComparer.Ordinal), bans.ToFrozenDictionary(StringComparer.Ordinal)));
            Interlocked.Exchange(ref _version, version);
        }
    }

    [LoggerMessage(70, LogLevel.Warning, "Redis at {Server} is unreachable ({Reason}): serving tokens from the local cache and limiting with local buckets until it is back")]
    private static partial void LogDown(ILogger logger, string server, string reason);

    [LoggerMessage(72, LogLevel.Error, "The security state in Redis at {Server} could not be read ({Reason}); keeping the last good view")]
    private static partial void LogUnreadable(ILogger logger, string server, string reason);

    [LoggerMessage(71, LogLevel.Information, "Redis at {Server} is reachable again: state resynchronised ({Pending} queued changes written)")]
    private static partial void LogRestored(ILogger logger, string server, int pending);

    private sealed record StoredKey(string Id, string? Secret, long CreatedMs, long? ValidUntilMs);
}
