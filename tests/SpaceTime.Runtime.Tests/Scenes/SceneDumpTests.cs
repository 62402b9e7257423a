using System.Net;
using System.Text.Json;

namespace SpaceTime.Runtime.Tests.Scenes;

/// <summary><c>GET /scene/dump</c>: the live node tree.</summary>
public sealed class SceneDumpTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    [Fact]
    public async Task GetSceneDump_MainScene_ReturnsRecursiveTreeWithGlobalPositions()
    {
        await RuntimeApiFixture.LoadMainSceneAsync(_client);

        var root = await _client.GetJsonAsync("/scene/dump");

        Assert.Equal("VRMain", root.Str("name"));
        Assert.Equal("Node3D", root.Str("type"));
        Assert.Equal("VRMain", root.Str("path"));
        Assert.Equal(
            ["WorldEnvironment", "Sun", "Deck", "Platform", "SpawnPoint", "XROrigin3D", "Cubes"],
            root.GetProperty("children").EnumerateArray().Select(c => c.Str("name")));
        var nodes = Flatten(root).ToList();
        Assert.Equal(24, nodes.Count);

        var origin = nodes.Single(n => n.Str("type") == "XROrigin3D");
        var camera = nodes.Single(n => n.Str("type") == "XRCamera3D");
        Assert.Equal("VRMain/XROrigin3D/XRCamera3D", camera.Str("path"));
        var originY = origin.GetProperty("global_position").Num("y");
        Assert.InRange(originY, -0.01, 0.06);
        Assert.InRange(camera.GetProperty("global_position").Num("y") - originY, 1.69, 1.71);

        var platform = nodes.Single(n => n.Str("path") == "VRMain/Platform").GetProperty("global_position");
        Assert.Equal((6.0, 0.5, -6.0), (platform.Num("x"), platform.Num("y"), platform.Num("z")));
        Assert.Contains("props", nodes.Single(n => n.Str("name") == "Cube1").GetProperty("groups").EnumerateArray().Select(g => g.GetString()));

        var environment = nodes.Single(n => n.Str("type") == "WorldEnvironment");
        Assert.Equal(JsonValueKind.Null, environment.GetProperty("global_position").ValueKind);
    }

    [Fact]
    public async Task GetSceneDump_MenuScene_ControlsHaveNoGlobalPosition()
    {
        using (var load = await _client.PostJsonAsync("/scene", """{"scene_path":"res://scenes/menu.tscn"}"""))
        {
            await load.ReadJsonAsync();
        }

        var root = await _client.GetJsonAsync("/scene/dump");

        Assert.Equal("Menu", root.Str("name"));
        Assert.Equal("Control", root.Str("type"));
        var nodes = Flatten(root).ToList();
        Assert.Equal(["Menu", "VBoxContainer", "Title", "Start", "Quit"], nodes.Select(n => n.Str("name")));
        Assert.All(nodes, n => Assert.Equal(JsonValueKind.Null, n.GetProperty("global_position").ValueKind));
        Assert.All(nodes, n => Assert.Equal(JsonValueKind.Null, n.GetProperty("global_rotation_deg").ValueKind));
    }

    [Fact]
    public async Task GetSceneDump_DepthZero_ReturnsRootWithoutChildren()
    {
        var root = await _client.GetJsonAsync("/scene/dump?depth=0");

        Assert.Empty(root.GetProperty("children").EnumerateArray());
    }

    [Fact]
    public async Task GetSceneDump_NegativeDepth_Returns400()
    {
        using var response = await _client.GetAsync("/scene/dump?depth=-1", TestContext.Current.CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement node) =>
        node.GetProperty("children").EnumerateArray().SelectMany(Flatten).Prepend(node);
}
