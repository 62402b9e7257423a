using SpaceTime.Security.State;

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
/// times <c>burst_multiplier</c>. Clients rejected too often inside the violation window are banned. Buckets,
/// violations and bans live in the shared security state, so every process serving the installation counts one
/// budget per client; a busy client's tokens are taken from it a few at a time (<see cref="TokenLeases"/>).
/// <c>/health</c> and <c>/livez</c> are never limited (the middleware does not ask).
/// </summary>
public sealed class ClientRateLimiter(RateLimitSettings settings, TimeProvider time, ISecurityStateStore state)
{
    public const int HealthDefaultPerMinute = 600;

    private readonly TokenLeases _leases = new();

    /// <summary>The configured endpoint prefixes (trailing '/' trimmed for matching), longest first.</summary>
    private readonly (string Key, string Prefix, int Limit)[] _endpointLimits = [.. settings.PerEndpointLimits
        .OrderByDescending(p => p.Key.Length)
        .Select(p => (p.Key, p.Key.TrimEnd('/') + "/", p.Value))];

    public RateLimitSettings Settings { get; } = settings;

    public int ActiveBans => Bans().Count;

    /// <summary>Bans in force now, soonest to end first.</summary>
    public IReadOnlyList<ClientBan> Bans()
    {
        var now = time.GetUtcNow();
        return [.. state.View.Bans.Values.Where(b => b.Until > now).OrderBy(b => b.Until).ThenBy(b => b.Client, StringComparer.Ordinal)];
    }

    /// <summary>Lifts a client's ban and forgets its violations; false when it was not banned.</summary>
    public bool Unban(string client)
    {
        _leases.Forget(client);
        return state.Unban(client);
    }

    /// <summary>Only the ban: for requests whose limits another server applies.</summary>
    public RateLimitDecision CheckBan(string client)
    {
        var utcNow = time.GetUtcNow();
        return state.View.Bans.TryGetValue(client, out var ban) && ban.Until > utcNow
            ? new RateLimitDecision(RateLimitOutcome.Banned, 0, 0, (ban.Until - utcNow).TotalSeconds, ban.Until, "ban")
            : new RateLimitDecision(RateLimitOutcome.Allowed, 0, 0, 0, utcNow, "delegated");
    }

    public async ValueTask<RateLimitDecision> CheckAsync(string client, string path)
    {
        var utcNow = time.GetUtcNow();
        var (scope, limit) = EndpointLimit(path);
        if (limit == 0)
        {
            return new RateLimitDecision(RateLimitOutcome.EndpointOff, 0, 0, 0, utcNow, scope);
        }

        if (state.View.Bans.TryGetValue(client, out var ban) && ban.Until > utcNow)
        {
            return new RateLimitDecision(RateLimitOutcome.Banned, Capacity(limit), 0, (ban.Until - utcNow).TotalSeconds, ban.Until, "ban");
        }

        var ownLimit = scope == "/health";
        var (endpoint, global) = await TakeAsync(client, new BucketRequest(scope, limit, Capacity(limit)),
            ownLimit ? null : new BucketRequest("*", Settings.GlobalRequestsPerMinute, Capacity(Settings.GlobalRequestsPerMinute)), utcNow);
        var (binding, bindingLimit, bindingScope) = !ownLimit && !global.Taken && global.SecondsToNext >= endpoint.SecondsToNext
            ? (global, Settings.GlobalRequestsPerMinute, "global")
            : (endpoint, limit, scope);
        if (endpoint.Taken && global.Taken)
        {
            return new RateLimitDecision(RateLimitOutcome.Allowed, Capacity(limit), (int)Math.Floor(endpoint.Remaining), 0, utcNow.AddSeconds(endpoint.SecondsToFull), scope);
        }

        if (state.View.Bans.TryGetValue(client, out ban) && ban.Until > utcNow)
        {
            // Banned by another process since the check above (the store learnt it while taking the tokens).
            return new RateLimitDecision(RateLimitOutcome.Banned, Capacity(limit), 0, (ban.Until - utcNow).TotalSeconds, ban.Until, "ban");
        }

        var retryAfter = Math.Max(binding.SecondsToNext, !endpoint.Taken ? endpoint.SecondsToNext : 0);
        if (Settings.BanDurationMinutes > 0
            && state.RecordViolation(client, utcNow, TimeSpan.FromMinutes(Settings.ViolationWindowMinutes)) >= Settings.BanAfterViolations)
        {
            var banUntil = utcNow.AddMinutes(Settings.BanDurationMinutes);
            state.Ban(new ClientBan(client, utcNow, banUntil, $"{Settings.BanAfterViolations} rate-limit violations within {Settings.ViolationWindowMinutes} min"));
            _leases.Forget(client);
            return new RateLimitDecision(RateLimitOutcome.Banned, Capacity(bindingLimit), 0, (banUntil - utcNow).TotalSeconds, banUntil, "ban");
        }

        return new RateLimitDecision(RateLimitOutcome.Limited, Capacity(bindingLimit), 0, retryAfter, utcNow.AddSeconds(binding.SecondsToFull), bindingScope);
    }

    /// <summary>
    /// One token from the endpoint bucket and one from the global one (when given): from this process's lease where it
    /// holds one, else from the shared store in one round trip, leasing a few more for a busy client.
    /// </summary>
    private async ValueTask<(BucketTake Endpoint, BucketTake Global)> TakeAsync(string client, BucketRequest endpoint, BucketRequest? global, DateTimeOffset now)
    {
        var endpointTake = Leased(client, endpoint);
        var globalTake = global is { } g ? Leased(client, g) : endpointTake;
        if (endpointTake is { } e && globalTake is { } gl)
        {
            return (e, gl);
        }

        var nowMs = now.ToUnixTimeMilliseconds();
        var asked = new List<BucketRequest>(2);
        if (endpointTake is null)
        {
            asked.Add(endpoint with { Want = _leases.Want(client, endpoint.Scope, endpoint.Capacity, nowMs) });
        }

        if (global is { } globalBucket && globalTake is null)
        {
            asked.Add(globalBucket with { Want = _leases.Want(client, globalBucket.Scope, globalBucket.Capacity, nowMs) });
        }

        var takes = await state.TakeTokensAsync(client, asked, now);
        for (var i = 0; i < asked.Count; i++)
        {
            _leases.Keep(client, asked[i].Scope, asked[i], takes[i]);
            // What the client has left: the shared bucket and what this process now holds for it.
            takes[i] = takes[i] with { Remaining = takes[i].Remaining + Math.Max(0, takes[i].Granted - 1) };
        }

        var endpointResult = endpointTake ?? takes[0];
        var globalResult = global is null ? endpointResult : globalTake ?? takes[^1];
        return (endpointResult, globalResult);
    }

    private BucketTake? Leased(string client, BucketRequest bucket) =>
        _leases.TrySpend(client, bucket.Scope, out var remaining, out var secondsToFull) ? new BucketTake(1, remaining, 0, secondsToFull) : null;

    /// <summary>The per-endpoint limit: the longest configured path prefix, else the default keyed by the first segment.</summary>
    public (string Scope, int PerMinute) EndpointLimit(string path)
    {
        var normalized = path.Length > 1 ? path.TrimEnd('/').ToLowerInvariant() : path;
        foreach (var (key, prefix, limit) in _endpointLimits)
        {
            if (normalized == key || normalized.StartsWith(prefix, StringComparison.Ordinal))
            {
                return (key, limit);
            }
        }

        if (normalized == "/health")
        {
            return ("/health", HealthDefaultPerMinute);
        }

        var second = normalized.IndexOf('/', 1);
        return (second > 0 ? normalized[..second] : normalized, Settings.DefaultRequestsPerMinute);
    }

    /// <summary>Bucket size: the per-minute rate times the burst multiplier (what X-RateLimit-Limit reports).</summary>
    public int Capacity(int perMinute) => (int)Math.Max(1, Math.Floor(perMinute * Settings.BurstMultiplier));
}
