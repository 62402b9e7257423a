using System.Net;
using System.Text.Json;

namespace SpaceTime.Runtime.Tests.Scenes;

/// <summary><c>PUT /scene</c>: validate a scene without loading it.</summary>
public sealed class SceneValidationTests(RuntimeApiFixture runtime) : IClassFixture<RuntimeApiFixture>
{
    private readonly HttpClient _client = runtime.CreateClient();

    [Fact]
    public async Task PutScene_ValidScene_ReportsValidWithSceneInfo()
    {
        using var response = await _client.SendJsonAsync(HttpMethod.Put, "/scene", """{"scene_path":"res://vr_main.tscn"}""");

        var result = await response.ReadJsonAsync();
        Assert.True(result.GetProperty("valid").GetBoolean());
        Assert.Empty(result.GetProperty("errors").EnumerateArray());
        Assert.DoesNotContain(Strings(result.GetProperty("warnings")), w => w.Contains("no player", StringComparison.Ordinal));
        var info = result.GetProperty("scene_info");
        Assert.Equal(24, info.GetProperty("node_count").GetInt32());
        Assert.Equal("Node3D", info.Str("root_type"));
        Assert.Equal("VRMain", info.Str("root_name"));
        Assert.Equal("res://vr_main.tscn", result.Str("scene_path"));
    }

    [Fact]
    public async Task PutScene_BrokenScene_ReportsInvalidWithErrors()
    {
        var path = runtime.WriteProjectFile("broken/validate.tscn", """
            [gd_scene format=3]

            [node name="Broken" type="Node3D"
            """);

        using var response = await _client.SendJsonAsync(HttpMethod.Put, "/scene", $$"""{"scene_path":"{{path}}"}""");

        var result = await response.ReadJsonAsync();
        Assert.False(result.GetProperty("valid").GetBoolean());
        var error = Assert.Single(Strings(result.GetProperty("errors")));
        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("scene_info").ValueKind);
    }

    [Fact]
    public async Task PutScene_MissingScene_Returns404()
    {
        using var response = await _client.SendJsonAsync(HttpMethod.Put, "/scene", """{"scene_path":"res://nowhere.tscn"}""");

        var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("res://nowhere.tscn", problem.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutScene_PathWithoutPrefix_Returns400()
    {
        using var response = await _client.SendJsonAsync(HttpMethod.Put, "/scene", """{"scene_path":"vr_main.tscn"}""");

        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PutScene_SceneWithoutPlayer_WarnsAndLeavesActiveSceneAlone()
    {
        using var response = await _client.SendJsonAsync(HttpMethod.Put, "/scene", """{"scene_path":"res://scenes/menu.tscn"}""");

        var result = await response.ReadJsonAsync();
        Assert.True(result.GetProperty("valid").GetBoolean());
        Assert.Contains(Strings(result.GetProperty("warnings")), w => w.Contains("no player", StringComparison.Ordinal));
        Assert.Equal("Control", result.GetProperty("scene_info").Str("root_type"));
        Assert.Equal(RuntimeApiFixture.MainScene, (await _client.GetJsonAsync("/scene")).Str("scene_path"));
    }

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
