using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SpaceTime.Security.RateLimiting;

namespace SpaceTime.Runtime.Tests.Security;

/// <summary>The test environment with <c>/scene</c> at 5 per minute, no burst, and <c>/debug</c>, <c>/execute</c> off.</summary>
public sealed class SceneRateLimitFixture() : ConfiguredRuntimeFixture(
    "test",
    config => config.SetRateLimits("test", new Dictionary<string, int> { ["/scene"] = 5, ["/debug"] = 0, ["/execute"] = 0 },
        new Dictionary<string, JsonNode> { ["burst_multiplier"] = 1, ["ban_after_violations"] = 1000 }));

/// <summary>A <c>/health</c> limit of 3 per minute configured (and ignored: probes are never limited), everything else at most 4 per minute (global), no burst.</summary>
public sealed class HealthRateLimitFixture() : ConfiguredRuntimeFixture(
    "test",
    config => config.SetRateLimits("test", new Dictionary<string, int> { ["/health"] = 3 },
        new Dictionary<string, JsonNode> { ["burst_multiplier"] = 1, ["global_requests_per_minute"] = 4, ["default_requests_per_minute"] = 1000 }),
    scene: "none");

/// <summary>On a fake clock: <c>/scene</c> at 2 per minute, banned for 5 minutes after 3 rejections.</summary>
public sealed class BanFixture() : ConfiguredRuntimeFixture(
    "test",
    config => config.SetRateLimits("test", new Dictionary<string, int> { ["/scene"] = 2, ["/auth"] = 6 },
        new Dictionary<string, JsonNode> { ["burst_multiplier"] = 1, ["ban_after_violations"] = 3, ["ban_duration_minutes"] = 5, ["violation_window_minutes"] = 5 }),
    scene: "none",
    clock: new FakeTimeProvider(DateTimeOffset.UtcNow));

/// <summary><c>ENABLE_RATE_LIMITING=false</c> with a limit that would otherwise bite at once.</summary>
public sealed class RateLimitingOffFixture() : ConfiguredRuntimeFixture(
    "test",
    config => config.SetRateLimits("test", new Dictionary<string, int> { ["/scene"] = 1 }, new Dictionary<string, JsonNode> { ["burst_multiplier"] = 1 }),
    new Dictionary<string, string> { ["ENABLE_RATE_LIMITING"] = "false" },
    scene: "none");

public sealed class SceneRateLimitTests(SceneRateLimitFixture runtime) : IClassFixture<SceneRateLimitFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    [Fact]
    public async Task GetScene_BeyondPerEndpointLimit_Returns429WithRetryAfterAndRateLimitHeaders()
    {
        var remaining = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            using var ok = await _client.GetAsync("/scene", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("5", Header(ok, "X-RateLimit-Limit"));
            remaining.Add(int.Parse(Header(ok, "X-RateLimit-Remaining"), CultureInfo.InvariantCulture));
            AssertResetInFuture(ok);
        }

        using var limited = await _client.GetAsync("/scene", TestContext.Current.CancellationToken);

        Assert.Equal([4, 3, 2, 1, 0], remaining);
        var problem = await limited.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limited", problem.Str("reason"));
        Assert.Equal("/scene", problem.Str("scope"));
        Assert.Equal(5, problem.GetProperty("limit").GetInt32());
        var retryAfter = int.Parse(Header(limited, "Retry-After"), NumberStyles.None, CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 12); // one token per 60/5 = 12 s
        Assert.Equal("5", Header(limited, "X-RateLimit-Limit"));
        Assert.Equal("0", Header(limited, "X-RateLimit-Remaining"));
        AssertResetInFuture(limited);

        // Other endpoints keep their own buckets.
        await _client.GetJsonAsync("/status");
        await _client.GetJsonAsync("/state/player");
        using var stillLimited = await _client.GetAsync("/scene", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.TooManyRequests, stillLimited.StatusCode);
        Assert.Contains(SecurityHttp.ReadAuditLines(runtime.AuditFile), l =>
            l.Str("result") == "RATE_LIMIT" && l.GetProperty("status").GetInt32() == 429 && l.Str("endpoint") == "/scene" && l.Str("client") == "unknown");
    }

    [Theory]
    [InlineData("/debug")]
    [InlineData("/debug/profile")]
    [InlineData("/execute")]
    public async Task Request_EndpointLimitZero_Returns404WithoutRateLimitHeaders(string path)
    {
        using var response = await _client.GetAsync(path, TestContext.Current.CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.False(response.Headers.Contains("X-RateLimit-Limit"));
    }

    [Fact]
    public async Task GetStatus_WithinLimit_ReportsDefaultLimitHeaders()
    {
        using var response = await _client.GetAsync("/status", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("100000", Header(response, "X-RateLimit-Limit")); // the shipped default per minute, burst 1
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : throw new Xunit.Sdk.XunitException($"no {name} header");

    private static void AssertResetInFuture(HttpResponseMessage response)
    {
        var reset = long.Parse(Header(response, "X-RateLimit-Reset"), CultureInfo.InvariantCulture);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(reset, now - 1, now + 61);
    }
}

public sealed class HealthRateLimitTests(HealthRateLimitFixture runtime) : IClassFixture<HealthRateLimitFixture>
{
    [Fact]
    public async Task Health_IsNeverLimitedEvenWhenConfigured_AndDoesNotCountAgainstGlobal()
    {
        var anonymous = runtime.CreateAnonymousClient();
        var admin = runtime.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            using var ok = await anonymous.GetAsync("/health", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.False(ok.Headers.Contains("X-RateLimit-Limit"), "/health is not rate-limited");
        }

        // Twenty /health requests took nothing from the global budget of 4.
        for (var i = 0; i < 4; i++)
        {
            await admin.GetJsonAsync("/auth/status");
        }

        using var globalLimited = await admin.GetAsync("/auth/status", TestContext.Current.CancellationToken);
        var globalProblem = await globalLimited.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("global", globalProblem.Str("scope"));
        Assert.Equal(4, globalProblem.GetProperty("limit").GetInt32());

        // Limited (and soon banned) clients still see /health: monitoring must not be locked out.
        using var health = await admin.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}

/// <summary>Bans and exact Retry-After values, on a fake clock (the tests of this class run one at a time).</summary>
public sealed class BanTests(BanFixture runtime) : IClassFixture<BanFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    private FakeTimeProvider Clock => runtime.Clock!;

    [Fact]
    public async Task RepeatedViolations_BanClientOnEveryEndpointUntilBanEnds()
    {
        Clock.Advance(TimeSpan.FromMinutes(10)); // full buckets and no violations left over from other tests
        await _client.GetJsonAsync("/scene");
        await _client.GetJsonAsync("/scene");
        for (var i = 0; i < 2; i++)
        {
            using var limited = await _client.GetAsync("/scene", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        using var banned = await _client.GetAsync("/scene", TestContext.Current.CancellationToken);
        var problem = await banned.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("banned", problem.Str("reason"));
        Assert.Equal(TimeSpan.FromMinutes(5), banned.Headers.RetryAfter?.Delta);

        using (var elsewhere = await _client.GetAsync("/status", TestContext.Current.CancellationToken))
        {
            Assert.Equal("banned", (await elsewhere.ReadProblemAsync(HttpStatusCode.Forbidden)).Str("reason"));
        }

        Clock.Advance(TimeSpan.FromMinutes(4));
        using (var later = await _client.GetAsync("/status", TestContext.Current.CancellationToken))
        {
            Assert.Equal("banned", (await later.ReadProblemAsync(HttpStatusCode.Forbidden)).Str("reason"));
            Assert.Equal(TimeSpan.FromSeconds(60), later.Headers.RetryAfter?.Delta);
        }

        Clock.Advance(TimeSpan.FromSeconds(61));
        await _client.GetJsonAsync("/status");
        await _client.GetJsonAsync("/scene");
    }

    [Fact]
    public async Task AdminBans_ListsTheBanAndDeleteLiftsItWithAnAuditRecord()
    {
        Clock.Advance(TimeSpan.FromMinutes(10));
        var limiter = runtime.Services.GetRequiredService<ClientRateLimiter>();
        for (var i = 0; i < 5; i++)
        {
            await limiter.CheckAsync("10.9.9.9", "/scene");
        }

        using (var list = await _client.GetAsync("/admin/bans", TestContext.Current.CancellationToken))
        {
            var body = await list.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            var ban = Assert.Single(body.GetProperty("bans").EnumerateArray());
            Assert.Equal("10.9.9.9", ban.GetProperty("client").GetString());
            Assert.Equal(300, ban.GetProperty("remaining_seconds").GetDouble());
        }

        using (var lifted = await _client.DeleteAsync("/admin/bans/10.9.9.9", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        }

        Assert.Equal(RateLimitOutcome.Allowed, (await limiter.CheckAsync("10.9.9.9", "/scene")).Outcome);
        using (var again = await _client.DeleteAsync("/admin/bans/10.9.9.9", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        var developer = runtime.CreateClient((await _client.IssueTokenAsync("developer")).Value);
        using (var forbidden = await developer.GetAsync("/admin/bans", TestContext.Current.CancellationToken))
        {
            await forbidden.AssertForbiddenAsync("auth:manage", "developer");
        }

        var audit = await File.ReadAllTextAsync(runtime.AuditFile, TestContext.Current.CancellationToken);
        Assert.Contains("\"BAN_LIFTED\"", audit, StringComparison.Ordinal);
        Assert.Contains("ban of 10.9.9.9 lifted", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryAfter_OnFakeClock_IsTimeToNextTokenAndRefillAllowsAgain()
    {
        Clock.Advance(TimeSpan.FromMinutes(10)); // full buckets, no ban and no violations left over from other tests
        for (var i = 0; i < 6; i++)
        {
            await _client.GetJsonAsync("/auth/status");
        }

        using (var limited = await _client.GetAsync("/auth/status", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(10), limited.Headers.RetryAfter?.Delta); // 60 s / 6 per minute
        }

        Clock.Advance(TimeSpan.FromSeconds(9));
        using (var early = await _client.GetAsync("/auth/status", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), early.Headers.RetryAfter?.Delta);
        }

        Clock.Advance(TimeSpan.FromSeconds(1));
        await _client.GetJsonAsync("/auth/status");
    }
}

public sealed class RateLimitingOffTests(RateLimitingOffFixture runtime) : IClassFixture<RateLimitingOffFixture>
{
    [Fact]
    public async Task GetScene_RateLimitingDisabled_NeverLimitedAndNoHeaders()
    {
        var client = runtime.CreateClient();
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/scene", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("X-RateLimit-Limit"));
        }
    }
}
