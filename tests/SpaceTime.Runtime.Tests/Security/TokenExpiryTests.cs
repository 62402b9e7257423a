using Microsoft.Extensions.Time.Testing;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>The test environment on a fake clock: 30-minute idle timeout, 10-minute key rotation grace.</summary>
public sealed class FakeClockRuntimeFixture() : ConfiguredRuntimeFixture(
    "test",
    config => config.Edit("security_test.json", root =>
    {
        root["authentication"]!["session_timeout_minutes"] = 30;
        root["authentication"]!["key_rotation_grace_minutes"] = 10;
    }),
    scene: "none",
    clock: new FakeTimeProvider(DateTimeOffset.UtcNow));

/// <summary>Time-dependent token rules, driven by a fake clock (the tests of this class run one at a time).</summary>
public sealed class TokenExpiryTests(FakeClockRuntimeFixture runtime) : IClassFixture<FakeClockRuntimeFixture>
{
    private readonly HttpClient _admin = runtime.CreateClient();

    private FakeTimeProvider Clock => runtime.Clock!;

    [Fact]
    public async Task IssuedToken_PastItsTtl_Returns401TokenExpired()
    {
        var token = await _admin.IssueTokenAsync("readonly", ttl: "2m");
        var client = runtime.CreateClient(token.Value);

        Clock.Advance(TimeSpan.FromSeconds(119));
        await client.GetJsonAsync("/auth/status");
        Clock.Advance(TimeSpan.FromSeconds(2));

        using var response = await client.GetAsync("/auth/status", TestContext.Current.CancellationToken);
        await response.AssertUnauthorizedAsync("token_expired");
    }

    [Fact]
    public async Task IssuedToken_IdleLongerThanSessionTimeout_Returns401SessionExpired()
    {
        var token = await _admin.IssueTokenAsync("readonly", ttl: "24h");
        var client = runtime.CreateClient(token.Value);

        Clock.Advance(TimeSpan.FromMinutes(29));
        await client.GetJsonAsync("/auth/status");
        Clock.Advance(TimeSpan.FromMinutes(29));
        await client.GetJsonAsync("/auth/status");
        Clock.Advance(TimeSpan.FromMinutes(31));

        using var response = await client.GetAsync("/auth/status", TestContext.Current.CancellationToken);
        await response.AssertUnauthorizedAsync("session_expired");
    }

    [Fact]
    public async Task RotatedOutKey_AfterGracePeriod_Returns401InvalidSignature()
    {
        var token = await _admin.IssueTokenAsync("readonly", ttl: "24h");
        var client = runtime.CreateClient(token.Value);
        using (var rotate = await _admin.PostJsonAsync("/auth/rotate"))
        {
            Assert.Equal(10, (await rotate.ReadJsonAsync()).GetProperty("grace_minutes").GetInt32());
        }

        Clock.Advance(TimeSpan.FromMinutes(9));
        await client.GetJsonAsync("/auth/status");
        Clock.Advance(TimeSpan.FromMinutes(2));

        using var response = await client.GetAsync("/auth/status", TestContext.Current.CancellationToken);
        await response.AssertUnauthorizedAsync("invalid_signature");
        var fresh = await _admin.IssueTokenAsync("readonly");
        await runtime.CreateClient(fresh.Value).GetJsonAsync("/auth/status");
    }

    [Fact]
    public async Task StaticToken_PastDefaultJwtLifetime_StillAccepted()
    {
        // Beyond the default JWT lifetime (1 h) and the idle timeout (30 min). Kept short: every fake-clock
        // advance also fires the runtime's 10 ms telemetry timer once per period.
        Clock.Advance(TimeSpan.FromMinutes(61));

        var status = await _admin.GetJsonAsync("/auth/status");

        Assert.Equal("admin", status.Str("role"));
    }
}
