using System.Text.Json;

namespace SpaceTime.Runtime.Tests.Status;

public sealed class StatusApiTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private static readonly string[] SecretWords = ["token", "jwt", "secret"];

    [Fact]
    public async Task GetStatus_MainSceneLoaded_DescribesRuntimeEngineSceneAndPlayer()
    {
        var client = runtime.CreateClient();
        await RuntimeApiFixture.WaitForPlayerSpawnedAsync(client);

        var status = await client.GetJsonAsync("/status");

        Assert.Equal("healthy", status.Str("status"));
        Assert.Equal("1.0.0", status.Str("version"));
        Assert.Equal("1.0.0", status.Str("api_version"));
        Assert.Equal("test", status.Str("environment"));
        Assert.Equal("active", status.Str("http_api"));
        Assert.Equal("SpaceTime VR", status.Str("project"));
        Assert.False(status.GetProperty("vr_initialized").GetBoolean());

        var engine = status.GetProperty("engine");
        Assert.Equal(90, engine.GetProperty("tick_rate").GetInt32());
        Assert.True(engine.GetProperty("running").GetBoolean());
        Assert.True(engine.GetProperty("ticks").GetInt64() > 0);

        var scene = status.GetProperty("scene");
        Assert.True(scene.GetProperty("loaded").GetBoolean());
        Assert.Equal(RuntimeApiFixture.MainScene, scene.Str("path"));
        Assert.Equal("VRMain", scene.Str("name"));
        Assert.Equal("Node3D", scene.Str("root_type"));
        Assert.Equal(24, scene.GetProperty("node_count").GetInt32());

        var player = status.GetProperty("player");
        Assert.True(player.GetProperty("exists").GetBoolean());
        Assert.True(player.GetProperty("spawned").GetBoolean());
        Assert.Equal("XROrigin3D", player.Str("name"));
    }

    [Fact]
    public async Task GetStatus_Always_NamesTheInstanceOfTheDataDirAndTheBackends()
    {
        var client = runtime.CreateClient();
        await RuntimeApiFixture.WaitForPlayerSpawnedAsync(client);

        var status = await client.GetJsonAsync("/status");
        var history = await client.GetJsonAsync("/scene/history");

        var id = File.ReadAllText(Path.Combine(runtime.DataDir, "instance_id")).Trim();
        Assert.Equal(id, status.Str("instance_id"));
        Assert.Equal(id, status.GetProperty("discovery").Str("instance_id"));
        Assert.Equal("embedded", status.GetProperty("storage").Str("state"));
        Assert.Equal("sqlite", status.GetProperty("storage").Str("records"));
        Assert.All(history.GetProperty("history").EnumerateArray(), e => Assert.Equal(id, e.Str("instance_id")));
        Assert.NotEmpty(history.GetProperty("history").EnumerateArray());
    }

    [Fact]
    public async Task GetStatus_Always_CarriesNoSecretField()
    {
        var client = runtime.CreateClient();

        var status = await client.GetJsonAsync("/status");

        var names = PropertyNames(status).ToList();
        Assert.Contains("engine", names);
        Assert.Contains("tick_rate", names);
        foreach (var name in names)
        {
            Assert.DoesNotContain(SecretWords, w => name.Contains(w, StringComparison.OrdinalIgnoreCase));
        }
    }

    private static IEnumerable<string> PropertyNames(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => PropertyNames(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(PropertyNames),
        _ => [],
    };
}
