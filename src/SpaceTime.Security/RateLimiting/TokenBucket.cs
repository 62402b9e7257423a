namespace SpaceTime.Security.RateLimiting;

/// <summary>A token bucket: holds up to <see cref="Capacity"/> tokens, refilled continuously at a per-minute rate.</summary>
public sealed class TokenBucket(int perMinute, int capacity, long now, long frequency)
{
    private double _tokens = capacity;
    private long _updated = now;

    public int PerMinute { get; } = perMinute;

    public int Capacity { get; } = capacity;

    public long LastUsed { get; private set; } = now;

    /// <summary>Takes one token if there is one. Returns the tokens left and the seconds until the next one.</summary>
    public (bool Taken, double Remaining, double SecondsToNext, double SecondsToFull) TryTake(long now)
    {
        Refill(now);
        LastUsed = now;
        var rate = PerMinute / 60.0;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return (true, _tokens, _tokens >= 1 ? 0 : (1 - _tokens) / rate, (Capacity - _tokens) / rate);
        }

        return (false, _tokens, (1 - _tokens) / rate, (Capacity - _tokens) / rate);
    }

    public bool IsFull(long now)
    {
        Refill(now);
        return _tokens >= Capacity;
    }

    private void Refill(long now)
    {
        var elapsed = (now - _updated) / (double)frequency;
        if (elapsed > 0)
        {
            _tokens = Math.Min(Capacity, _tokens + (elapsed * PerMinute / 60.0));
            _updated = now;
        }
    }
}
