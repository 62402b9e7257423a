using Microsoft.Extensions.Time.Testing;
using SpaceTime.Security.RateLimiting;
using SpaceTime.Security.State;
using SpaceTime.Security.Tokens;

namespace SpaceTime.Security.Tests.State;

/// <summary>
/// Two processes' worth of security state over one store — the embedded data dir, or a real Redis — each test run
/// against both. What one changes, the other must enforce within a second.
/// </summary>
public sealed class SharedSecurityStateTests : IAsyncDisposable
{
    public static readonly TheoryData<string> Backends = ["embedded", "redis"];

    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("spacetime-state-").FullName;
    private readonly List<IDisposable> _opened = [];
    private RedisServer? _redis;

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Revoke_OnOneProcess_RefusedByTheOtherWithinOneSecond(string backend)
    {
        var a = await OpenTokensAsync(backend);
        var b = await OpenTokensAsync(backend);
        var issued = a.Issue("alice", "admin");
        Assert.True(b.Validate(issued.Token).Succeeded);

        a.Revoke(issued.Jti);

        await Poll.UntilAsync(() => b.Validate(issued.Token).Failure == TokenFailure.Revoked, "the other process to refuse the revoked token", OneSecond);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Rotate_OnOneProcess_NewKeyTokensVerifyOnTheOtherWithinOneSecond(string backend)
    {
        var a = await OpenTokensAsync(backend);
        var b = await OpenTokensAsync(backend);
        var before = a.Issue("alice", "developer");

        var key = a.RotateKey();
        var after = a.Issue("bob", "developer");

        Assert.Contains(key.Id, DecodeKid(after.Token));
        await Poll.UntilAsync(() => b.Validate(after.Token).Succeeded, "the other process to accept a token signed with the new key", OneSecond);
        Assert.Equal(key.Id, b.Keys.Current.Id);
        Assert.True(b.Validate(before.Token).Succeeded, "the previous key verifies during its grace period");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task ScheduledRotation_TwoProcessesDueAtOnce_RotateOnceBetweenThem(string backend)
    {
        var settings = new AuthenticationSettings { TokenRotationEnabled = true, TokenRotationIntervalHours = 1 };
        var a = await OpenAsync(backend, settings);
        var b = await OpenAsync(backend, settings);
        var first = new SigningKeyStore(a, TimeProvider.System).Current;
        var due = first.CreatedAt + TimeSpan.FromHours(1);
        var clock = new FakeTimeProvider(due);

        var rotations = await Task.WhenAll(
            Task.Run(() => new SigningKeyRotation(a, settings, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<SigningKeyRotation>.Instance).RotateIfDue()),
            Task.Run(() => new SigningKeyRotation(b, settings, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<SigningKeyRotation>.Instance).RotateIfDue()));

        var rotated = Assert.Single(rotations, k => k is not null);
        await Poll.UntilAsync(() => new SigningKeyStore(a, clock).Current.Id == rotated!.Id && new SigningKeyStore(b, clock).Current.Id == rotated.Id,
            "both processes to have the one new key", OneSecond);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task IdleTimeout_TimedOutToken_StaysRefusedAfterRestartAndOnTheOtherInstance(string backend)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new AuthenticationSettings { SessionTimeoutMinutes = 1 };
        var a = await OpenTokensAsync(backend, settings, clock);
        var b = await OpenTokensAsync(backend, settings, clock);
        var issued = a.Issue("alice", "developer", TimeSpan.FromHours(1));

        // Used through B after 40 s, the session is alive at 80 s on A: the idle clock is shared.
        clock.Advance(TimeSpan.FromSeconds(40));
        Assert.True(b.Validate(issued.Token).Succeeded);
        clock.Advance(TimeSpan.FromSeconds(40));
        Assert.True(a.Validate(issued.Token).Succeeded);

        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(TokenFailure.SessionExpired, a.Validate(issued.Token).Failure);

        // Long after the idle records of old would have been pruned, and after a restart, it stays refused everywhere.
        clock.Advance(TimeSpan.FromMinutes(10));
        var restarted = await OpenTokensAsync(backend, settings, clock);
        await Poll.UntilAsync(() => b.Validate(issued.Token).Failure == TokenFailure.SessionExpired, "the other instance to refuse the idle token", OneSecond);
        Assert.Equal(TokenFailure.SessionExpired, restarted.Validate(issued.Token).Failure);
        Assert.Equal(TokenFailure.SessionExpired, a.Validate(issued.Token).Failure);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task MaxConcurrentSessions_CountedAcrossProcesses_OldestRevokedEverywhere(string backend)
    {
        var settings = new AuthenticationSettings { MaxConcurrentSessions = 2 };
        var a = await OpenTokensAsync(backend, settings);
        var b = await OpenTokensAsync(backend, settings);
        var first = a.Issue("carol", "readonly");
        b.Issue("carol", "readonly");
        a.Issue("carol", "readonly");

        await Poll.UntilAsync(() => b.Validate(first.Token).Failure == TokenFailure.Revoked, "the oldest session to be revoked", OneSecond);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Ban_EarnedOnOneProcess_AppliesOnTheOther_AndLiftingItOnTheOtherFreesTheClient(string backend)
    {
        var limits = new RateLimitSettings
        {
            PerEndpointLimits = new(StringComparer.Ordinal) { ["/scene"] = 2 }, BurstMultiplier = 1, BanAfterViolations = 3, BanDurationMinutes = 60,
        };
        var a = new ClientRateLimiter(limits, TimeProvider.System, await OpenAsync(backend));
        var b = new ClientRateLimiter(limits, TimeProvider.System, await OpenAsync(backend));

        var outcomes = new List<RateLimitOutcome>();
        for (var i = 0; i < 6; i++)
        {
            outcomes.Add((await a.CheckAsync("10.0.0.7", "/scene")).Outcome);
        }

        Assert.Equal(RateLimitOutcome.Banned, outcomes[^1]);
        await Poll.UntilAsync(async () => (await b.CheckAsync("10.0.0.7", "/state")).Outcome == RateLimitOutcome.Banned, "the ban to apply on the other process", OneSecond);
        Assert.Equal(RateLimitOutcome.Allowed, (await b.CheckAsync("10.0.0.8", "/state")).Outcome);
        Assert.Contains(b.Bans(), ban => ban.Client == "10.0.0.7");

        Assert.True(b.Unban("10.0.0.7"));

        await Poll.UntilAsync(async () => (await a.CheckAsync("10.0.0.7", "/state")).Outcome == RateLimitOutcome.Allowed, "the lifted ban to be lifted on the first process", OneSecond);
        Assert.DoesNotContain(a.Bans(), ban => ban.Client == "10.0.0.7");
        Assert.False(a.Unban("10.0.0.7"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Budget_AlternatingBetweenProcesses_IsOneBudgetNotTwo(string backend)
    {
        var limits = new RateLimitSettings { DefaultRequestsPerMinute = 10, BurstMultiplier = 1, BanAfterViolations = 1000 };
        var limiters = new[]
        {
            new ClientRateLimiter(limits, TimeProvider.System, await OpenAsync(backend)),
            new ClientRateLimiter(limits, TimeProvider.System, await OpenAsync(backend)),
        };

        var allowed = 0;
        for (var i = 0; i < 20 && (await limiters[i % 2].CheckAsync("10.0.0.9", "/status")).Outcome == RateLimitOutcome.Allowed; i++)
        {
            allowed++;
        }

        Assert.InRange(allowed, 10, 11);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Budget_BusyClientOnTwoProcesses_TakenAFewTokensAtATime_NeverPastTheBudget(string backend)
    {
        // A bucket large enough for leases (1,280 tokens: up to 40 taken at once), and the clock stopped, so nothing
        // refills: whatever the two processes hold between them, the client gets its budget and not one request more.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var limits = new RateLimitSettings { DefaultRequestsPerMinute = 1280, GlobalRequestsPerMinute = 100_000, BurstMultiplier = 1, BanAfterViolations = 100_000 };
        var a = new ClientRateLimiter(limits, time, await OpenAsync(backend));
        var b = new ClientRateLimiter(limits, time, await OpenAsync(backend));

        var allowed = 0;
        var remaining = new List<int>();
        for (var i = 0; i < 3000; i++)
        {
            var decision = await (i % 3 == 0 ? a : b).CheckAsync("10.0.0.10", "/status");
            if (decision.Outcome == RateLimitOutcome.Allowed)
            {
                allowed++;
                remaining.Add(decision.Remaining);
            }
        }

        Assert.Equal(1280, allowed);
        Assert.True(remaining[0] is >= 1270 and < 1280, $"the first answer reports the budget left, not what one process holds: {remaining[0]}");
        // A third process asking now finds the shared bucket empty: nothing was left stranded in the other two.
        var c = new ClientRateLimiter(limits, time, await OpenAsync(backend));
        Assert.Equal(RateLimitOutcome.Limited, (await c.CheckAsync("10.0.0.10", "/status")).Outcome);
        Assert.Equal(RateLimitOutcome.Allowed, (await c.CheckAsync("10.0.0.11", "/status")).Outcome);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var opened in Enumerable.Reverse(_opened))
        {
            opened.Dispose();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    private static string DecodeKid(string token) =>
        System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0]));

    private async Task<TokenService> OpenTokensAsync(string backend, AuthenticationSettings? settings = null, TimeProvider? time = null)
    {
        settings ??= new AuthenticationSettings();
        var tokens = new TokenService(await OpenAsync(backend, settings), settings, time ?? TimeProvider.System);
        return tokens;
    }

    private async Task<ISecurityStateStore> OpenAsync(string backend, AuthenticationSettings? settings = null)
    {
        var security = new SecuritySettings { Authentication = settings ?? new AuthenticationSettings() };
        if (backend == "redis")
        {
            _redis ??= await RedisServer.StartAsync();
            security.Redis = new RedisSettings("127.0.0.1", _redis.Port, null, null, false, 0);
        }

        var store = SecurityStateStores.Open(_dataDir, security, TimeProvider.System);
        _opened.Add(store);
        return store;
    }
}
