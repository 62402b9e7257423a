using System.Net;
using System.Text.Json;
using SpaceTime.Runtime.Tests.Security;

namespace SpaceTime.Runtime.Tests.Profiling;

/// <summary><c>GET /debug/profile</c>: per-route latency percentiles for the developer role.</summary>
public sealed class DebugProfileTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private readonly HttpClient _admin = runtime.CreateClient();

    private static JsonElement Route(JsonElement profile, string route, string method) =>
        profile.GetProperty("routes").EnumerateArray().SingleOrDefault(r => r.Str("route") == route && r.Str("method") == method) is { ValueKind: JsonValueKind.Object } row
            ? row
            : throw new Xunit.Sdk.XunitException($"no {method} {route} row in {profile}");

    [Fact]
    public async Task Profile_AfterRequests_ReportsCountsAndOrderedPercentilesPerRoute()
    {
        var developer = await _admin.IssueTokenAsync("developer");
        using var client = runtime.CreateClient(developer.Value);
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync("/scene", Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var profile = await client.GetJsonAsync("/debug/profile");

        Assert.True(profile.Num("window_seconds") > 0);
        // GET /scene is labelled as clients call it (the group root template "/scene/" trimmed).
        var scene = Route(profile, "/scene", "GET");
        Assert.True(scene.GetProperty("count").GetInt64() >= 20, scene.ToString());
        var (p50, p95, p99, max) = (scene.Num("p50_ms"), scene.Num("p95_ms"), scene.Num("p99_ms"), scene.Num("max_ms"));
        Assert.True(p50 > 0 && p50 <= p95 && p95 <= p99 && p99 <= max, scene.ToString());
        Assert.Equal(0, scene.GetProperty("errors").GetInt64());
    }

    [Fact]
    public async Task Profile_CountsGrowWithRequests()
    {
        var before = await _admin.GetJsonAsync("/debug/profile");
        var countBefore = before.GetProperty("routes").EnumerateArray()
            .Where(r => r.Str("route") == "/state/player" && r.Str("method") == "GET").Select(r => r.GetProperty("count").GetInt64()).SingleOrDefault();

        for (var i = 0; i < 5; i++)
        {
            await _admin.GetJsonAsync("/state/player");
        }

        var after = Route(await _admin.GetJsonAsync("/debug/profile"), "/state/player", "GET");
        Assert.Equal(countBefore + 5, after.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Profile_ReadonlyToken_Returns403NamingDeveloperPermission()
    {
        var token = await _admin.IssueTokenAsync("readonly");
        using var reader = runtime.CreateClient(token.Value);

        using var response = await reader.GetAsync("/debug/profile", Cancel);

        await response.AssertForbiddenAsync("debug:read", "readonly");
    }
}

/// <summary>Debug endpoints do not exist in production.</summary>
public sealed class DebugProfileProductionTests(ProductionRuntimeFixture runtime) : IClassFixture<ProductionRuntimeFixture>
{
    [Fact]
    public async Task Profile_InProduction_Returns404()
    {
        using var admin = runtime.CreateClient();

        using var response = await admin.GetAsync("/debug/profile", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
