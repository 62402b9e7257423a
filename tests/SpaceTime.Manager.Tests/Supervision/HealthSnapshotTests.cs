using System.Text.Json;
using SpaceTime.Manager.Supervision;

namespace SpaceTime.Manager.Tests.Supervision;

/// <summary>The manager's <c>/health</c> body in the documents' shape: <c>server</c> healthy/degraded/unhealthy, the scene named by its file.</summary>
public sealed class HealthSnapshotTests
{
    [Theory]
    [InlineData(LifecycleState.Ready, true, "healthy")]
    [InlineData(LifecycleState.Ready, false, "degraded")]
    [InlineData(LifecycleState.Degraded, false, "degraded")]
    [InlineData(LifecycleState.PlayerWaiting, false, "unhealthy")]
    [InlineData(LifecycleState.Failed, false, "unhealthy")]
    [InlineData(LifecycleState.Stopped, false, "unhealthy")]
    public void Server_FollowsHealthAndLifecycle(LifecycleState state, bool healthy, string expected)
    {
        Assert.Equal(expected, Snapshot(state, healthy).Server);
    }

    [Fact]
    public void Server_RedisUnreachable_IsDegradedButStillHealthy()
    {
        var health = Snapshot(LifecycleState.Ready, true) with { Redis = new ServiceCheckJson("warn", "Redis at redis:6379 unreachable") };

        Assert.Equal("degraded", health.Server);
        Assert.True(health.OverallHealthy);
        Assert.Equal("healthy", (health with { Redis = new ServiceCheckJson("pass", "Redis at redis:6379") }).Server);
    }

    [Fact]
    public void Json_HasTheDocumentsFieldsFirstAndTheStateByName()
    {
        var json = JsonSerializer.SerializeToElement(Snapshot(LifecycleState.Ready, true), new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

        Assert.Equal("server", json.EnumerateObject().First().Name);
        Assert.Equal("healthy", json.GetProperty("server").GetString());
        Assert.Equal("vr_main", json.GetProperty("scene").GetProperty("name").GetString());
        Assert.Equal("res://vr_main.tscn", json.GetProperty("scene").GetProperty("path").GetString());
        Assert.Equal("READY", json.GetProperty("state").GetString());
        Assert.False(json.TryGetProperty("lifecycle", out _));
    }

    [Theory]
    [InlineData("res://vr_main.tscn", "vr_main")]
    [InlineData("res://levels/space station.tscn", "space station")]
    [InlineData(null, null)]
    public void SceneName_IsTheFileNameWithoutExtension(string? path, string? name)
    {
        Assert.Equal(name, SceneHealth.For(true, path).Name);
    }

    private static HealthSnapshot Snapshot(LifecycleState state, bool healthy) => new(
        DateTimeOffset.UnixEpoch,
        new GodotProcessHealth(true, 42),
        new GodotApiHealth(true),
        SceneHealth.For(true, "res://vr_main.tscn"),
        new PlayerHealth(true),
        healthy,
        healthy ? [] : ["something"],
        state);
}
