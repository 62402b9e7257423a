using System.Collections.Concurrent;

namespace SpaceTime.Security.RateLimiting;

public enum RateLimitOutcome
{
    Allowed,
    Limited,
    Banned,
    EndpointOff,
}

/// <summary>The verdict for one request, with what the X-RateLimit-* and Retry-After headers report.</summary>
public sealed record RateLimitDecision(RateLimitOutcome Outcome, int Limit, int Remaining, double RetryAfterSeconds, DateTimeOffset Reset, string Scope);

/// <summary>
/// Token-bucket rate limits per client: one bucket per (client, endpoint) from <c>per_endpoint_limits</c> (longest
/// matching path prefix, else the default), plus a global bucket per client. Bucket size is the per-minute rate
/// times <c>burst_multiplier</c>. Clients rejected too often inside the violation window are banned.
/// <c>/health</c> has its own limit and does not count against the global one.
/// </summary>
public sealed class ClientRateLimiter(RateLimitSettings settings, TimeProvider time)
{
    public const int HealthDefaultPerMinute = 600;
    private const int MaxBuckets = 100_000;

    private readonly ConcurrentDictionary<(string Client, string Scope), TokenBucket> _buckets = new();
    private readonly ConcurrentDictionary<string, Queue<long>> _violations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _bans = new(StringComparer.Ordinal);
    private long _checks;

    public RateLimitSettings Settings { get; } = settings;

    public int ActiveBans => _bans.Count(b => b.Value > time.GetUtcNow());

    public RateLimitDecision Check(string client, string path)
    {
        var now = time.GetTimestamp();
        var utcNow = time.GetUtcNow();
        if (Interlocked.Increment(ref _checks) % 4096 == 0 || _buckets.Count > MaxBuckets)
        {
            Sweep(now);
        }

        var (scope, limit) = EndpointLimit(path);
        if (limit == 0)
        {
            return new RateLimitDecision(RateLimitOutcome.EndpointOff, 0, 0, 0, utcNow, scope);
        }

        if (_bans.TryGetValue(client, out var until))
        {
            if (until > utcNow)
            {
                return new RateLimitDecision(RateLimitOutcome.Banned, Capacity(limit), 0, (until - utcNow).TotalSeconds, until, "ban");
            }

            _bans.TryRemove(client, out _);
        }

        var endpoint = Take(client, scope, limit, now);
        var ownLimit = scope == "/health";
        var global = ownLimit ? endpoint : Take(client, "*", Settings.GlobalRequestsPerMinute, now);
        var (binding, bindingLimit, bindingScope) = !ownLimit && !global.Taken && global.SecondsToNext >= endpoint.SecondsToNext
            ? (global, Settings.GlobalRequestsPerMinute, "global")
            : (endpoint, limit, scope);
        if (endpoint.Taken && global.Taken)
        {
            return new RateLimitDecision(RateLimitOutcome.Allowed, Capacity(limit), (int)Math.Floor(endpoint.Remaining), 0, utcNow.AddSeconds(endpoint.SecondsToFull), scope);
        }

        var retryAfter = Math.Max(binding.SecondsToNext, !endpoint.Taken ? endpoint.SecondsToNext : 0);
        if (RecordViolation(client, now))
        {
            var banUntil = utcNow.AddMinutes(Settings.BanDurationMinutes);
            _bans[client] = banUntil;
            return new RateLimitDecision(RateLimitOutcome.Banned, Capacity(bindingLimit), 0, (banUntil - utcNow).TotalSeconds, banUntil, "ban");
        }

        return new RateLimitDecision(RateLimitOutcome.Limited, Capacity(bindingLimit), 0, retryAfter, utcNow.AddSeconds(binding.SecondsToFull), bindingScope);
    }

    /// <summary>The per-endpoint limit: the longest configured path prefix, else the default keyed by the first segment.</summary>
    public (string Scope, int PerMinute) EndpointLimit(string path)
    {
        var normalized = path.Length > 1 ? path.TrimEnd('/').ToLowerInvariant() : path;
        var best = Settings.PerEndpointLimits
            .Where(p => normalized == p.Key || normalized.StartsWith(p.Key.TrimEnd('/') + "/", StringComparison.Ordinal))
            .OrderByDescending(p => p.Key.Length)
            .Select(p => (Key: p.Key, Limit: (int?)p.Value))
            .FirstOrDefault();
        if (best.Limit is { } configured)
        {
            return (best.Key, configured);
        }

        if (normalized == "/health")
        {
            return ("/health", HealthDefaultPerMinute);
        }

        var second = normalized.IndexOf('/', 1);
        return (second > 0 ? normalized[..second] : normalized, Settings.DefaultRequestsPerMinute);
    }

    private (bool Taken, double Remaining, double SecondsToNext, double SecondsToFull) Take(string client, string scope, int perMinute, long now)
    {
        var bucket = _buckets.GetOrAdd((client, scope), _ => new TokenBucket(perMinute, Capacity(perMinute), now, time.TimestampFrequency));
        lock (bucket)
        {
            return bucket.TryTake(now);
        }
    }

    /// <summary>Bucket size: the per-minute rate times the burst multiplier (what X-RateLimit-Limit reports).</summary>
    public int Capacity(int perMinute) => (int)Math.Max(1, Math.Floor(perMinute * Settings.BurstMultiplier));

    /// <summary>Counts a rejection; true when the client has now earned a ban.</summary>
    private bool RecordViolation(string client, long now)
    {
        var window = (long)(Settings.ViolationWindowMinutes * 60 * time.TimestampFrequency);
        var queue = _violations.GetOrAdd(client, _ => new Queue<long>());
        lock (queue)
        {
            queue.Enqueue(now);
            while (queue.Count > 0 && now - queue.Peek() > window)
            {
                queue.Dequeue();
            }

            if (queue.Count >= Settings.BanAfterViolations && Settings.BanDurationMinutes > 0)
            {
                queue.Clear();
                return true;
            }

            return false;
        }
    }

    /// <summary>Drops buckets that are full again (idle clients) so memory stays bounded.</summary>
    private void Sweep(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            bool full;
            lock (bucket)
            {
                full = bucket.IsFull(now);
            }

            if (full)
            {
                _buckets.TryRemove(key, out _);
            }
        }

        var window = (long)(Settings.ViolationWindowMinutes * 60 * time.TimestampFrequency);
        foreach (var (client, queue) in _violations)
        {
            lock (queue)
            {
                if (queue.Count == 0 || now - queue.Peek() > window)
                {
                    _violations.TryRemove(client, out _);
                }
            }
        }

        foreach (var (client, until) in _bans)
        {
            if (until <= time.GetUtcNow())
            {
                _bans.TryRemove(client, out _);
            }
        }
    }
}
