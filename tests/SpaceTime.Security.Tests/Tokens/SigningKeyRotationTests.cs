using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SpaceTime.Security.State;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.Tests.Tokens;

/// <summary><see cref="SigningKeyRotation"/>: rotation on schedule, judged by the stored key's age, once per interval for all processes.</summary>
public sealed class SigningKeyRotationTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("spacetime-rotation-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly AuthenticationSettings _settings = new() { TokenRotationEnabled = true, TokenRotationIntervalHours = 72, KeyRotationGraceMinutes = 60 };

    [Fact]
    public void RotateIfDue_BeforeTheInterval_KeepsTheKey_AfterIt_RotatesWithGrace()
    {
        using var state = SecurityStateStores.OpenEmbedded(_dataDir, _settings, _time);
        var rotation = Rotation(state);
        var first = new SigningKeyStore(state, _time).Current;

        _time.Advance(TimeSpan.FromHours(71.9));
        Assert.Null(rotation.RotateIfDue());

        _time.Advance(TimeSpan.FromHours(0.1));
        var second = rotation.RotateIfDue();

        Assert.NotNull(second);
        Assert.NotEqual(first.Id, second.Id);
        var keys = new SigningKeyStore(state, _time);
        Assert.Equal(second.Id, keys.Current.Id);
        Assert.Contains(keys.ValidKeys, k => k.Id == first.Id);
        _time.Advance(TimeSpan.FromMinutes(61));
        Assert.DoesNotContain(keys.ValidKeys, k => k.Id == first.Id);
    }

    [Fact]
    public void RotateIfDue_TwoProcessesSharingTheStore_RotateOncePerInterval()
    {
        using var a = SecurityStateStores.OpenEmbedded(_dataDir, _settings, _time);
        using var b = SecurityStateStores.OpenEmbedded(_dataDir, _settings, _time);
        _time.Advance(TimeSpan.FromHours(72));

        var rotatedByA = Rotation(a).RotateIfDue();
        var rotatedByB = Rotation(b).RotateIfDue();

        Assert.NotNull(rotatedByA);
        Assert.Null(rotatedByB);
        _time.Advance(TimeSpan.FromHours(72));
        Assert.NotNull(Rotation(b).RotateIfDue());
        Assert.Null(Rotation(a).RotateIfDue());
    }

    [Fact]
    public async Task ExecuteAsync_Enabled_RotatesWhenTheClockPassesTheInterval()
    {
        using var state = SecurityStateStores.OpenEmbedded(_dataDir, _settings, _time);
        using var rotation = Rotation(state);
        var first = new SigningKeyStore(state, _time).Current.Id;
        await rotation.StartAsync(TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromHours(72) + rotation.CheckEvery);

        await Poll.UntilAsync(() => new SigningKeyStore(state, _time).Current.Id != first, "the scheduled rotation", TimeSpan.FromSeconds(10));
        await rotation.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void CheckEvery_IsAHundredthOfTheIntervalAtMostAMinute()
    {
        using var state = SecurityStateStores.OpenEmbedded(_dataDir, _settings, _time);

        Assert.Equal(TimeSpan.FromMinutes(1), Rotation(state).CheckEvery);
        Assert.Equal(TimeSpan.FromSeconds(0.36), new SigningKeyRotation(state, new AuthenticationSettings { TokenRotationIntervalHours = 0.01 }, _time, NullLogger<SigningKeyRotation>.Instance).CheckEvery);
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    private SigningKeyRotation Rotation(ISecurityStateStore state) => new(state, _settings, _time, NullLogger<SigningKeyRotation>.Instance);
}
