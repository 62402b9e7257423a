namespace SpaceTime.Runtime.Hosting;

/// <summary>When this runtime started, for uptime.</summary>
public sealed class RuntimeClock(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public TimeSpan Uptime => time.GetElapsedTime(_started);
}
