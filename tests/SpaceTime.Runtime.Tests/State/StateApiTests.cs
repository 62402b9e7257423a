using System.Globalization;
using System.Text.Json;

namespace SpaceTime.Runtime.Tests.State;

/// <summary>Read-only views of the world with the main scene loaded. Nothing here moves the player.</summary>
public sealed class StateApiTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    [Fact]
    public async Task GetStatePlayer_MainScene_PlayerSpawnsOnTheDeck()
    {
        var player = await RuntimeApiFixture.WaitForPlayerSpawnedAsync(_client);

        Assert.True(player.GetProperty("exists").GetBoolean());
        Assert.True(player.GetProperty("found").GetBoolean());
        Assert.Equal("XROrigin3D", player.Str("name"));
        Assert.Equal("XROrigin3D", player.Str("type"));
        Assert.Equal("VRMain/XROrigin3D", player.Str("node_path"));
        var position = player.GetProperty("position");
        Assert.Equal(0, position.Num("x"), 3);
        Assert.InRange(position.Num("y"), -0.01, 0.01);
        Assert.Equal(2, position.Num("z"), 3);
        Assert.Equal(0, player.GetProperty("rotation").Num("y"), 3);
        var spawn = player.GetProperty("spawn_point");
        Assert.Equal((0.0, 0.05, 2.0), (spawn.Num("x"), spawn.Num("y"), spawn.Num("z")));
        Assert.True(DateTimeOffset.TryParse(player.Str("spawned_at"), CultureInfo.InvariantCulture, out _));
        Assert.Equal(0, player.GetProperty("respawns").GetInt32());
    }

    [Fact]
    public async Task GetStateMap_MainScene_ReturnsCollidersSpawnPointAndPlayer()
    {
        await RuntimeApiFixture.WaitForPlayerSpawnedAsync(_client);

        var map = await _client.GetJsonAsync("/state/map");

        Assert.True(map.GetProperty("loaded").GetBoolean());
        Assert.Equal(RuntimeApiFixture.MainScene, map.Str("scene_path"));
        var colliders = map.GetProperty("colliders").EnumerateArray().ToList();
        Assert.NotEmpty(colliders);
        // The deck: a 40 m square whose top is the floor (y = 0).
        Assert.Contains(colliders, b => b.GetProperty("min").Num("x") == -20 && b.GetProperty("max").Num("x") == 20 && b.GetProperty("max").Num("y") == 0);
        Assert.All(colliders, b => Assert.True(b.GetProperty("min").Num("x") <= b.GetProperty("max").Num("x")));
        var bounds = map.GetProperty("bounds");
        Assert.Equal(-20, bounds.GetProperty("min").Num("x"));
        Assert.Equal(20, bounds.GetProperty("max").Num("z"));
        var spawn = map.GetProperty("spawn_point");
        Assert.Equal((0.0, 2.0), (spawn.Num("x"), spawn.Num("z")));
        var player = map.GetProperty("player");
        Assert.Equal(2, player.GetProperty("position").Num("z"), 3);
        Assert.Equal(0, player.Num("yaw_degrees"), 3);
        Assert.True(player.GetProperty("spawned").GetBoolean());
    }

    [Fact]
    public async Task GetStateScene_MainScene_ReturnsLegacyShape()
    {
        await RuntimeApiFixture.WaitForPlayerSpawnedAsync(_client);

        var state = await _client.GetJsonAsync("/state/scene");

        Assert.True(DateTimeOffset.TryParse(state.Str("timestamp"), CultureInfo.InvariantCulture, out _));
        Assert.Equal(JsonValueKind.Number, state.GetProperty("fps").ValueKind);
        Assert.Equal("found", state.Str("vr_main"));
        Assert.Equal(RuntimeApiFixture.MainScene, state.GetProperty("scene").Str("path"));
        var player = state.GetProperty("player");
        Assert.True(player.GetProperty("found").GetBoolean());
        Assert.Equal("XROrigin3D", player.Str("name"));
        Assert.True(player.GetProperty("on_floor").GetBoolean());
        Assert.Equal(JsonValueKind.Object, player.GetProperty("velocity").ValueKind);
        Assert.InRange(player.GetProperty("position").Num("y"), -0.01, 0.01);
    }

    [Fact]
    public async Task GetStateVr_NoHeadset_ReportsDesktopFallbackWithPoses()
    {
        await RuntimeApiFixture.WaitForPlayerSpawnedAsync(_client);

        var vr = await _client.GetJsonAsync("/state/vr");

        Assert.False(vr.GetProperty("vr_enabled").GetBoolean());
        Assert.False(vr.GetProperty("headset_connected").GetBoolean());
        Assert.Equal("desktop", vr.Str("fallback_mode"));
        var headset = vr.GetProperty("headset");
        Assert.InRange(headset.GetProperty("position").Num("y"), 1.69, 1.71);
        Assert.Equal(1, headset.GetProperty("rotation").Num("w"), 3);
        var left = vr.GetProperty("left_controller").GetProperty("position");
        var right = vr.GetProperty("right_controller").GetProperty("position");
        Assert.Equal(-0.25, left.Num("x"), 3);
        Assert.Equal(0.25, right.Num("x"), 3);
        Assert.Equal(1.7, left.Num("z"), 3);
        Assert.InRange(right.Num("y"), 1.19, 1.21);
    }
}
