using SpaceTime.Security.State;

namespace SpaceTime.Security.Tokens;

/// <summary>
/// Rotates the signing key on schedule (<c>authentication.token_rotation_enabled</c>, every
/// <c>token_rotation_interval_hours</c>; the old key keeps verifying for <c>key_rotation_grace_minutes</c>). Whether a
/// rotation is due is judged by the stored current key's age, and decided and done in one step by the shared store,
/// so processes sharing it rotate once per interval between them, and a restart does not reset the clock.
/// </summary>
public sealed partial class SigningKeyRotation(ISecurityStateStore state, AuthenticationSettings settings, TimeProvider time, ILogger<SigningKeyRotation> logger)
    : BackgroundService
{
    public TimeSpan Interval { get; } = TimeSpan.FromHours(settings.TokenRotationIntervalHours);

    /// <summary>How often the key's age is looked at: often enough to rotate within 1% of the interval, at least every minute.</summary>
    public TimeSpan CheckEvery => TimeSpan.FromTicks(Math.Clamp(Interval.Ticks / 100, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>Rotates when the current key is at least <see cref="Interval"/> old; returns the new key, or null when not due.</summary>
    public SigningKey? RotateIfDue()
    {
        var now = time.GetUtcNow();
        // The local view (at most a second old) answers "not yet" without a write to the shared store; the store decides "now".
        var current = state.View.Keys.LastOrDefault(k => k.ValidUntil is null);
        if (current is not null && current.CreatedAt > now - Interval)
        {
            return null;
        }

        var key = state.RotateKeyCreatedBy(now - Interval, TimeSpan.FromMinutes(settings.KeyRotationGraceMinutes), now);
        if (key is not null)
        {
            LogRotated(logger, key.Id, settings.TokenRotationIntervalHours, settings.KeyRotationGraceMinutes);
        }

        return key;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.TokenRotationEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(CheckEvery, time);
        do
        {
            try
            {
                RotateIfDue();
            }
            catch (Exception e) when (e is Storage.StorageUnavailableException or SecurityStateUnavailableException)
            {
                // The shared state is down: the next tick tries again (the store reports its own health).
                LogUnavailable(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(40, LogLevel.Information, "Signing key rotated on schedule: {KeyId} is current (every {Hours} h; the previous key verifies for {GraceMinutes} more minutes)")]
    private static partial void LogRotated(ILogger logger, string keyId, double hours, int graceMinutes);

    [LoggerMessage(41, LogLevel.Warning, "Scheduled signing-key rotation skipped: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
