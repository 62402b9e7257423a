namespace SpaceTime.Manager.Supervision;

/// <summary>The numbers of a <see cref="RestartPolicy"/>.</summary>
public sealed record RestartPolicyOptions
{
    /// <summary>Delay before the first restart of a streak; it doubles with each failure that follows.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The back-off never waits longer than this.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A run that lasted this long was stable: the back-off starts again from <see cref="InitialDelay"/>.</summary>
    public TimeSpan StablePeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Restarts allowed inside <see cref="Window"/>; one failure more and the policy gives up.</summary>
    public int MaxRestarts { get; init; } = 3;

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>What to do after a failure: restart after <see cref="Delay"/>, or give up.</summary>
/// <param name="GiveUp">No more restarts: the game is FAILED until an explicit start.</param>
/// <param name="Delay">The back-off before the restart.</param>
/// <param name="FailuresInWindow">Failures counted inside the window, this one included.</param>
public readonly record struct RestartDecision(bool GiveUp, TimeSpan Delay, int FailuresInWindow);

/// <summary>
/// Capped exponential back-off with a failure window, as systemd's <c>RestartSec</c>/<c>StartLimitBurst</c> and
/// supervisord's <c>startretries</c> do: more than <see cref="RestartPolicyOptions.MaxRestarts"/> failures inside
/// <see cref="RestartPolicyOptions.Window"/> and the policy gives up until <see cref="Reset"/>.
/// Pure logic: time comes from the injected <see cref="TimeProvider"/>. Not thread-safe: one supervisor loop owns it.
/// </summary>
public sealed class RestartPolicy
{
    private readonly TimeProvider _time;
    private readonly Queue<DateTimeOffset> _failures = new();

    public RestartPolicy(RestartPolicyOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InitialDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDelay, options.InitialDelay);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRestarts);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Window, TimeSpan.Zero);
        Options = options;
        _time = time;
    }

    public RestartPolicyOptions Options { get; }

    /// <summary>Failures since the last stable run; the next delay is <c>InitialDelay * 2^ConsecutiveFailures</c>, capped.</summary>
    public int ConsecutiveFailures { get; private set; }

    public bool GaveUp { get; private set; }

    /// <summary>Records a failure of a run that started at <paramref name="runStartedAt"/> and decides what follows.</summary>
    public RestartDecision OnFailure(DateTimeOffset runStartedAt)
    {
        var now = _time.GetUtcNow();
        if (now - runStartedAt >= Options.StablePeriod)
        {
            ConsecutiveFailures = 0;
        }

        _failures.Enqueue(now);
        while (_failures.Peek() <= now - Options.Window)
        {
            _failures.Dequeue();
        }

        if (GaveUp || _failures.Count > Options.MaxRestarts)
        {
            GaveUp = true;
            return new RestartDecision(true, TimeSpan.Zero, _failures.Count);
        }

        var delay = DelayFor(ConsecutiveFailures);
        ConsecutiveFailures++;
        return new RestartDecision(false, delay, _failures.Count);
    }

    /// <summary>Forgets every failure: after an explicit start the game gets a fresh budget.</summary>
    public void Reset()
    {
        _failures.Clear();
        ConsecutiveFailures = 0;
        GaveUp = false;
    }

    private TimeSpan DelayFor(int failures)
    {
        var ticks = Options.InitialDelay.Ticks * Math.Pow(2, Math.Min(failures, 62));
        return ticks >= Options.MaxDelay.Ticks ? Options.MaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
