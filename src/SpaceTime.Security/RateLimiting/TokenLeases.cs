using System.Collections.Concurrent;
using SpaceTime.Security.State;

namespace SpaceTime.Security.RateLimiting;

/// <summary>
/// Tokens this process has taken from a client's shared buckets ahead of its requests. The shared store stays the only
/// budget: a token is spent here only after the store granted it, so no process lets a client past its limit. A client
/// that asks rarely gets one token per request (every request goes to the store, exact as ever); one that asks again
/// within <see cref="RefetchWindow"/> of the last take gets twice as many the next time, up to 1/32 of the bucket (at
/// most <see cref="MaxLease"/>), so a busy client costs the store one round trip per that many requests instead of one
/// per request. A take the bucket could not fill drops back to one token, so near the limit the store decides each
/// request again. Cost: tokens leased here and not used (the client moved to another process, or stopped) are missing
/// from its shared bucket until it refills — at most one lease per process.
/// </summary>
internal sealed class TokenLeases
{
    /// <summary>Most tokens one take from the store asks for.</summary>
    public const int MaxLease = 64;

    /// <summary>Clients remembered before the table is cleared (their leased tokens are then simply not used).</summary>
    private const int MaxEntries = 100_000;

    /// <summary>A client asking again within this of its last take is busy: its next lease doubles.</summary>
    private static readonly TimeSpan RefetchWindow = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<(string Client, string Scope), Lease> _leases = new();

    /// <summary>The largest lease for a bucket of <paramref name="capacity"/> tokens: 1/32 of it, at least 1, at most <see cref="MaxLease"/>.</summary>
    public static int MaxLeaseFor(int capacity) => Math.Clamp(capacity / 32, 1, MaxLease);

    /// <summary>Spends one leased token of the client's bucket; false when none is left here (ask the store).</summary>
    public bool TrySpend(string client, string scope, out double sharedRemaining, out double secondsToFull)
    {
        if (_leases.TryGetValue((client, scope), out var lease))
        {
            lock (lease)
            {
                if (lease.Tokens > 0)
                {
                    lease.Tokens--;
                    sharedRemaining = lease.SharedRemaining + lease.Tokens;
                    secondsToFull = lease.SecondsToFull;
                    return true;
                }
            }
        }

        sharedRemaining = 0;
        secondsToFull = 0;
        return false;
    }

    /// <summary>How many tokens to ask the store for now, for a bucket of <paramref name="capacity"/>.</summary>
    public int Want(string client, string scope, int capacity, long nowMs)
    {
        var max = MaxLeaseFor(capacity);
        if (max == 1)
        {
            return 1;
        }

        if (_leases.Count >= MaxEntries)
        {
            _leases.Clear();
        }

        var lease = _leases.GetOrAdd((client, scope), static _ => new Lease());
        lock (lease)
        {
            lease.Size = nowMs - lease.LastTakeMs < RefetchWindow.TotalMilliseconds ? Math.Min(max, lease.Size * 2) : 1;
            lease.LastTakeMs = nowMs;
            return lease.Size;
        }
    }

    /// <summary>Keeps what the store granted beyond the one token the request at hand spends.</summary>
    public void Keep(string client, string scope, BucketRequest asked, BucketTake take)
    {
        if (asked.Want <= 1 || !_leases.TryGetValue((client, scope), out var lease))
        {
            return;
        }

        lock (lease)
        {
            lease.Tokens += Math.Max(0, take.Granted - 1);
            lease.SharedRemaining = take.Remaining;
            lease.SecondsToFull = take.SecondsToFull;
            if (take.Granted < asked.Want)
            {
                // The bucket is running dry: from here on each request asks the store.
                lease.Size = 1;
            }
        }
    }

    /// <summary>Drops a client's leases (it was banned or its ban lifted: the store decides afresh).</summary>
    public void Forget(string client)
    {
        foreach (var key in _leases.Keys)
        {
            if (key.Client == client)
            {
                _leases.TryRemove(key, out _);
            }
        }
    }

    private sealed class Lease
    {
        public int Tokens;
        public int Size = 1;
        public long LastTakeMs = long.MinValue / 2;
        public double SharedRemaining;
        public double SecondsToFull;
    }
}
