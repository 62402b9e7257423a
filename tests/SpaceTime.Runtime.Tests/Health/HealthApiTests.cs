using System.Text.Json;

namespace SpaceTime.Runtime.Tests.Health;

public sealed class HealthApiTests(RuntimeApiFixture loaded, NoSceneRuntimeFixture empty)
    : IClassFixture<RuntimeApiFixture>, IClassFixture<NoSceneRuntimeFixture>
{
    [Fact]
    public async Task GetHealth_MainSceneWithSpawnedPlayer_PassesEveryCheck()
    {
        var client = loaded.CreateClient();
        await RuntimeApiFixture.WaitForPlayerSpawnedAsync(client);

        var health = await client.GetJsonAsync("/health");

        var checks = health.GetProperty("checks");
        foreach (var name in new[] { "simulation", "scene", "player", "storage" })
        {
            Assert.Equal("pass", checks.GetProperty(name).Str("status"));
            Assert.False(string.IsNullOrWhiteSpace(checks.GetProperty(name).Str("message")));
        }

        Assert.Contains("VRMain", checks.GetProperty("scene").Str("message"), StringComparison.Ordinal);
        // On a busy test machine the achieved tick rate may dip; that (and only that) may degrade the status.
        var status = health.Str("status");
        var tickRate = checks.GetProperty("tick_rate").Str("status");
        Assert.Equal(tickRate == "pass" ? "healthy" : "degraded", status);
        Assert.True(health.Num("uptime_seconds") > 0);
        Assert.Equal(JsonValueKind.String, health.GetProperty("timestamp").ValueKind);
    }

    [Fact]
    public async Task GetHealth_NoSceneLoaded_IsDegradedAndNamesTheMissingScene()
    {
        var client = empty.CreateClient();

        var health = await client.GetJsonAsync("/health");

        Assert.Equal("degraded", health.Str("status"));
        var checks = health.GetProperty("checks");
        Assert.Equal("pass", checks.GetProperty("simulation").Str("status"));
        Assert.Equal("warn", checks.GetProperty("scene").Str("status"));
        Assert.Contains("no scene", checks.GetProperty("scene").Str("message"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("warn", checks.GetProperty("player").Str("status"));
        Assert.Equal("pass", checks.GetProperty("storage").Str("status"));
    }
}
