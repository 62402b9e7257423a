namespace SpaceTime.Manager.Api;

/// <summary>At most <see cref="Limit"/> operator restarts per hour (a sliding window), so a script cannot thrash the game.</summary>
public sealed class RestartLimiter(TimeProvider time, int limit = RestartLimiter.DefaultLimit)
{
    public const int DefaultLimit = 5;

    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private readonly Queue<DateTimeOffset> _recent = new();
    private readonly Lock _lock = new();

    public int Limit { get; } = limit;

    /// <summary>Takes one restart; when none is left, returns how long until one is.</summary>
    public bool TryAcquire(out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            while (_recent.Count > 0 && now - _recent.Peek() >= Window)
            {
                _recent.Dequeue();
            }

            if (_recent.Count >= Limit)
            {
                retryAfter = _recent.Peek() + Window - now;
                return false;
            }

            _recent.Enqueue(now);
            retryAfter = TimeSpan.Zero;
            return true;
        }
    }
}
