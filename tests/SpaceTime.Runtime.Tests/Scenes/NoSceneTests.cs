using System.Net;
using System.Text.Json;

namespace SpaceTime.Runtime.Tests.Scenes;

/// <summary>A runtime started with <c>SpaceTime:Scene = none</c>. Nothing here loads a scene.</summary>
public sealed class NoSceneTests(NoSceneRuntimeFixture runtime) : IClassFixture<NoSceneRuntimeFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    [Fact]
    public async Task GetScene_NothingLoaded_ReturnsNoSceneShape()
    {
        var scene = await _client.GetJsonAsync("/scene");

        Assert.Equal("no_scene", scene.Str("status"));
        Assert.Equal(JsonValueKind.Null, scene.GetProperty("scene_name").ValueKind);
        Assert.Equal(JsonValueKind.Null, scene.GetProperty("scene_path").ValueKind);
        Assert.Equal(0, scene.GetProperty("node_count").GetInt32());
    }

    [Fact]
    public async Task PostSceneReload_NothingLoaded_Returns404()
    {
        using var response = await _client.PostJsonAsync("/scene/reload");

        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("No scene is loaded", problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSceneDump_NothingLoaded_Returns404()
    {
        using var response = await _client.GetAsync("/scene/dump", TestContext.Current.CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutScene_NoPathAndNothingLoaded_Returns400()
    {
        using var response = await _client.SendJsonAsync(HttpMethod.Put, "/scene", "{}");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("scene_path", problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStatePlayer_NothingLoaded_PlayerDoesNotExist()
    {
        var player = await _client.GetJsonAsync("/state/player");

        Assert.False(player.GetProperty("exists").GetBoolean());
        Assert.False(player.GetProperty("spawned").GetBoolean());
    }

    [Fact]
    public async Task PostInput_NothingLoaded_Returns409()
    {
        using var response = await _client.PostJsonAsync("/input/recenter");

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
    }
}
